import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const HIDE = join(HERE, 'fixtures/hide-llama-runtime.mjs');

/** Runs a module body in a fresh Node process where node-llama-cpp cannot be resolved. */
function runWithoutRuntime(body: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = ['--conditions=@governed-mcp/source', '--import', 'tsx', '--import', HIDE];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...args, '--input-type=module', '-e', body],
      { cwd: join(HERE, '..'), timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('the model runtime is an optional peer', () => {
  it('imports the package root without node-llama-cpp installed, and the server backend works without it', async () => {
    const r = await runWithoutRuntime(`
      const probe = await import('@governed-mcp/probe');
      const backend = probe.createLlamaServerBackend({ url: 'http://127.0.0.1:9/' });
      process.stdout.write(typeof backend.open + ' ' + probe.LLAMA_RUNTIME);
    `);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('function node-llama-cpp');
    expect(r.code).toBe(0);
  });

  it('refuses an embedded model with probe_runtime_missing, naming the package to install', async () => {
    const r = await runWithoutRuntime(`
      const { createLlamaCppBackend } = await import('@governed-mcp/probe');
      const { writeFileSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { tmpdir } = await import('node:os');
      const file = join(tmpdir(), 'runtime-missing-' + process.pid + '.gguf');
      writeFileSync(file, Buffer.alloc(64));
      try {
        await createLlamaCppBackend({ modelPath: file }).open();
        process.stdout.write('opened');
      } catch (err) {
        process.stdout.write(JSON.stringify({ code: err.code, message: err.message }));
      }
    `);
    const out = JSON.parse(r.stdout) as { code: string; message: string };
    expect(out.code).toBe('probe_runtime_missing');
    expect(out.message).toMatch(/npm i node-llama-cpp@3\.22\.1/);
  });
});
