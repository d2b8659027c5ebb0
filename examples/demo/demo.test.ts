import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function runDemo(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@governed-mcp/source', '--import', 'tsx', 'examples/demo/run.ts'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1', GOVERNED_MCP_MODEL: '' },
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
    const r = await runDemo();
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
});
