import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { blake3Hex, canonicalJson, DEFAULT_SETTINGS } from '@governed-mcp/core';
import { openAuditLog, verifyAuditFile } from '@governed-mcp/core/node';
import { afterAll, describe, expect, it } from 'vitest';
import { guarded } from '../helpers/events.js';
import { CLI, killAll, REPO, watch } from '../helpers/processes.js';

afterAll(() => killAll());

const FIXTURE = join(REPO, 'packages/cli/test/runner/fixtures/upstream-server.mjs');
const CONCURRENCY = 32;

interface AuditRecordLine {
  readonly seq: number;
  readonly type: string;
  readonly data: {
    readonly ref?: number;
    readonly call?: { readonly requestId?: unknown; readonly argsDigest?: string };
    readonly decision?: { readonly outcome: string };
  };
}

/** The complete lines of the audit file (a line torn by the kill is left out). */
function completeRecords(file: string): AuditRecordLine[] {
  const text = readFileSync(file, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as AuditRecordLine);
}

/**
 * Runs the proxy over stdio with its default audit durability in front of the fixture server (which
 * logs every message that reaches it), keeps CONCURRENCY calls in flight, and kills the proxy with
 * SIGKILL after `killAfter` answers. Returns what the client was answered and what reached the server.
 */
async function killUnderLoad(killAfter: number) {
  const dir = mkdtempSync(join(tmpdir(), 'gmcp-crash-'));
  const audit = join(dir, 'audit.jsonl');
  const received = join(dir, 'received.jsonl');
  const config = join(dir, 'proxy.json');
  const huge = { capacity: 1_000_000, refillPerSec: 1_000_000 };
  writeFileSync(
    config,
    JSON.stringify({
      upstream: { command: [process.execPath, FIXTURE], env: { RECEIVED_LOG: received } },
      settings: {
        tiers: DEFAULT_SETTINGS.tiers.map((t) => ({
          ...t,
          rateLimit: { perPrincipalTool: huge, perPrincipal: huge, maxConcurrent: 1024 },
        })),
      },
    }),
  );
  const proxy = watch(process.execPath, [...CLI, 'proxy', '--config', config, '--audit', audit]);
  const send = (m: unknown): boolean => proxy.child.stdin!.write(`${JSON.stringify(m)}\n`);
  proxy.child.stdin!.on('error', () => undefined); // writes after the kill
  const answered = new Map<number, { result?: unknown; error?: unknown }>();
  let nextId = 1;
  let killed = false;
  let onAnswer: () => void = () => undefined;
  createInterface({ input: proxy.child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as { id?: number; result?: unknown; error?: unknown };
    if (typeof m.id !== 'number') return;
    answered.set(m.id, m);
    onAnswer();
  });
  const callText = (id: number): string => `crash-test-${id}`;
  const call = (): void => {
    const id = nextId++;
    send({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'echo', arguments: { text: callText(id) } },
    });
  };
  send({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'crash', version: '1' } },
  });
  await guarded(
    new Promise<void>((resolve) => {
      onAnswer = () => answered.has(0) && resolve();
    }),
    'the proxy to initialize',
  );
  answered.delete(0);
  nextId = 1;
  send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  // Every answer sends the next call, so CONCURRENCY calls stay in flight until the kill.
  const done = new Promise<void>((resolve) => {
    onAnswer = () => {
      if (killed) return;
      if (answered.size >= killAfter) {
        killed = true;
        proxy.child.kill('SIGKILL');
        resolve();
        return;
      }
      call();
    };
  });
  for (let i = 0; i < CONCURRENCY; i++) call();
  await guarded(done, `${killAfter} answers`);
  await proxy.exited;
  const reached = existsSync(received)
    ? readFileSync(received, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"tools/call"'))
        .map((l) => (JSON.parse(l) as { params: { arguments: { text: string } } }).params.arguments.text)
    : [];
  return { audit, answered, reached, callText, sent: nextId - 1 };
}

describe('a proxy killed with SIGKILL under load', () => {
  it.each([80, 400])(
    'loses no decision of a call it forwarded or answered (killed after %i answers)',
    async (killAfter) => {
      const run = await killUnderLoad(killAfter);
      const records = completeRecords(run.audit);
      // What is on disk verifies: a torn last line is a crash, not tampering.
      const report = await verifyAuditFile(run.audit);
      expect(report.ok, JSON.stringify(report.firstBad)).toBe(true);
      const allowed = new Map<unknown, AuditRecordLine>();
      for (const r of records) {
        if (r.type === 'decision' && r.data.decision?.outcome === 'allow')
          allowed.set(r.data.call?.requestId, r);
      }
      const digest = (id: number) => `blake3:${blake3Hex(canonicalJson({ text: run.callText(id) }))}`;
      // Every call the client was answered with a result was decided and recorded before it went on.
      const acknowledged = [...run.answered].filter(([, m]) => m.result !== undefined).map(([id]) => id);
      expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter - CONCURRENCY);
      for (const id of acknowledged) {
        expect(allowed.get(id)?.data.call?.argsDigest, `the decision of answered call ${id}`).toBe(
          digest(id),
        );
      }
      // Every call that reached the server had its decision on disk first, answered or not.
      const idOf = new Map(Array.from({ length: run.sent }, (_, i) => [run.callText(i + 1), i + 1]));
      expect(run.reached.length).toBeGreaterThanOrEqual(acknowledged.length);
      for (const text of run.reached) {
        const id = idOf.get(text);
        expect(id, text).toBeDefined();
        expect(allowed.get(id)?.data.call?.argsDigest, `the decision of forwarded call ${id}`).toBe(
          digest(id!),
        );
      }
      // Outcomes may be lost (they join the next commit), but each one on disk follows its decision.
      const seqs = new Set(records.filter((r) => r.type === 'decision').map((r) => r.seq));
      for (const r of records.filter((x) => x.type === 'outcome')) {
        expect(seqs.has(r.data.ref!) && r.data.ref! < r.seq).toBe(true);
      }
      // The chain continues after the crash: the torn tail is cut and the resume is recorded.
      const reopened = await openAuditLog(run.audit);
      await reopened.close();
      const after = await verifyAuditFile(run.audit);
      expect(after).toMatchObject({ ok: true, records: records.length + 1 });
    },
    120_000,
  );
});
