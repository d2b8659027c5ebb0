import { existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, describe, expect, it } from 'vitest';
import { decisions } from '../helpers/audit-records.js';
import { childTransport } from '../helpers/child-transport.js';
import { CLI, killAll, SERVERS, verifyAudit, watch } from '../helpers/processes.js';

afterAll(() => killAll());

const ALLOW_WRITES = 'default allow\n';
const DENY_WRITES = `default allow
deny no-writes
  when tool == "write_file"
  reason "Writes are frozen during the release."
end
`;

/** Replaces the policy the way editors save: write a temporary file, then rename it over the old one. */
function save(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

describe('governed-mcp proxy with a policy file', () => {
  it('swaps in a changed policy while running, and keeps it when the next change is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gmcp-e2e-reload-'));
    const root = join(dir, 'root');
    mkdirSync(root);
    const policy = join(dir, 'team.policy');
    const audit = join(dir, 'audit.jsonl');
    writeFileSync(policy, ALLOW_WRITES);
    const config = join(dir, 'proxy.json');
    writeFileSync(config, JSON.stringify({ principal: { id: 'agent-1', tier: 'privileged' } }));
    const proxy = watch(process.execPath, [
      ...CLI,
      'proxy',
      '--config',
      config,
      '--policy',
      policy,
      '--audit',
      audit,
      '--',
      process.execPath,
      SERVERS.filesystem,
      root,
    ]);
    const client = new Client({ name: 'e2e-reload', version: '1.0.0' });
    await client.connect(childTransport(proxy.child) as Transport);
    const write = (name: string) =>
      client.callTool({ name: 'write_file', arguments: { path: join(root, name), content: 'notes\n' } });

    expect((await write('before.txt')).isError).toBeFalsy();
    expect(existsSync(join(root, 'before.txt'))).toBe(true);

    save(policy, DENY_WRITES);
    await proxy.waitFor((l) => l.includes('"event":"policy_reloaded"'));
    const frozen = await write('during.txt');
    expect(frozen.isError).toBe(true);
    expect(JSON.stringify(frozen.content)).toContain('Writes are frozen during the release.');
    expect(existsSync(join(root, 'during.txt'))).toBe(false);

    save(policy, 'default allow\ndeny broken\n  when tool ==\nend\n');
    await proxy.waitFor((l) => l.includes('"event":"policy_reload_rejected"'));
    expect((await write('after.txt')).isError).toBe(true);
    expect(existsSync(join(root, 'after.txt'))).toBe(false);

    await client.close();
    expect(await proxy.exited).toBe(0);
    expect((await verifyAudit(audit)).code).toBe(0);
    const outcomes = decisions(audit).map((r) => r.data.decision?.outcome);
    expect(outcomes).toEqual(['allow', 'deny', 'deny']);
  }, 60_000);
});
