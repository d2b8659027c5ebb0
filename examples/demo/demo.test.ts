import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCachedRecommendedModel } from '@governed-mcp/cli';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const empty = mkdtempSync(join(tmpdir(), 'governed-mcp-demo-models-'));
// The real model, when this machine has it in its cache (never on a fresh machine).
const cached = await findCachedRecommendedModel();
if (cached === undefined)
  console.info('demo with the semantic layer skipped: no recommended model in the cache');

function runDemo(env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@governed-mcp/source', '--import', 'tsx', 'examples/demo/run.ts'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1', GOVERNED_MCP_MODEL: '', ...env },
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the demo', () => {
  it('runs a real filesystem server behind the proxy, allows the ordinary calls, denies with a layer and verifies the audit chain', async () => {
    // An empty model cache: the deterministic layers alone, whatever this machine has cached.
    const r = await runDemo({ GOVERNED_MCP_MODELS: empty });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ordinary calls allowed {2}6\/6/);
    // After the poisoned README, the writes the person asked for are put to them (elicitation) first.
    expect(r.stdout).toMatch(/write_file\s+ALLOW\s*\n\s+\? asked the person, who approved/);
    // The argument that violates the server's own schema is caught whatever else has landed.
    expect(r.stdout).toMatch(/read_text_file\s+DENY\s+schema\s+schema_mismatch/);
    // The session's attacks are what the deterministic layers exist for: all six are denied, and none
    // of the denied writes is found in the workspace afterwards.
    expect(r.stdout).toMatch(/malicious calls denied {2}6\/6/);
    expect(r.stdout).toMatch(/denied writes on disk\s+none \(3 denied/);
    expect(r.stdout).toMatch(/audit chain\s+intact: \d+ records/);
    expect(r.stdout).toMatch(/semantic layer \(probe\) is off/);
    expect(r.stdout).not.toContain('\u001b[');
  }, 120_000);

  it.skipIf(cached === undefined)(
    'turns the semantic layer on when a recommended model is in the cache, and says which one',
    async () => {
      const r = await runDemo({});
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/layers\s+.*probe/);
      expect(r.stdout).toContain(`semantic layer (probe) runs on ${cached!.entry.name}`);
      expect(r.stdout).toMatch(/audit chain\s+intact: \d+ records/);
    },
    300_000,
  );
});
