import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeKnownAnswerModel } from '@governed-mcp/probe';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, describe, expect, it } from 'vitest';
import { readAudit } from '../helpers/audit-records.js';
import { childTransport } from '../helpers/child-transport.js';
import { CLI, killAll, SERVERS, verifyAudit, watch } from '../helpers/processes.js';

afterAll(() => killAll());

describe('governed-mcp proxy with all six layers', () => {
  it('runs the probe on a real GGUF model in the runner, and records its evidence in the audit chain', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-probe-'));
    const { path: model } = await writeKnownAnswerModel({ dir });
    const audit = join(dir, 'audit.jsonl');
    const proxy = watch(process.execPath, [
      ...CLI,
      'proxy',
      '--layers',
      'full',
      '--model',
      model,
      '--audit',
      audit,
      '--',
      process.execPath,
      SERVERS.everything,
      'stdio',
    ]);
    const started = JSON.parse(await proxy.waitFor((l) => l.includes('"event":"proxy_started"'), 60_000)) as {
      layers: string[];
    };
    expect(started.layers).toEqual(['schema', 'tier', 'rate-limit', 'paths', 'prefilter', 'probe', 'policy']);
    const client = new Client({ name: 'e2e-probe', version: '1.0.0' });
    await client.connect(childTransport(proxy.child) as Transport);
    const res = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    // Allowed or denied by the probe, the call was decided by the full stack and recorded.
    expect(res.content).toBeDefined();
    await client.close();
    expect(await proxy.exited).toBe(0);
    const { code } = await verifyAudit(audit);
    expect(code).toBe(0);
    const decision = readAudit(audit).find((r) => r.type === 'decision') as unknown as {
      data: { layers: { layer: string; verdict: string }[] };
    };
    expect(decision.data.layers.map((l) => l.layer)).toContain('probe');
  }, 120_000);
});
