import { describe, expect, it } from 'vitest';
import { redactText, redactValue } from '../../src/mediation/redaction.js';
import { denial, harness } from './harness.js';

const AKIA = 'AKIAQYLPMN5HHHFPZAM2';

describe('secret redaction', () => {
  it('replaces a token from the maintained rule set with a marker naming its rule', async () => {
    const r = await redactText(`before ghp_${'a1B2'.repeat(9)} after`);
    expect(r.value).toBe('before [REDACTED:github] after');
    expect(r.findings).toEqual([{ rule: 'github', path: 'text', count: 1 }]);
  });

  it('keeps the label and redacts only the value of credential assignments, bearer tokens and URL passwords', async () => {
    expect((await redactText('password = "hV8q2LmZx91Kd"')).value).toBe(
      'password = "[REDACTED:assigned-secret]"',
    );
    expect((await redactText('Authorization: Bearer k3Jd9Qp2Lm8Zx7Rv5Tn1Wb4Yc6Hs0Fa')).value).toBe(
      'Authorization: Bearer [REDACTED:authorization]',
    );
    // The maintained rule set takes a whole connection string; the generic rule, only the password.
    expect((await redactText('postgres://admin:s3cretpass@db:5432/x')).value).not.toContain('s3cretpass');
    expect((await redactText('svn://admin:s3cretpass@db/x')).value).toBe(
      'svn://admin:[REDACTED:url-password]@db/x',
    );
  });

  it("does not treat AWS's documented example keys or placeholder passwords as secrets", async () => {
    const text =
      'AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY password = "hunter2" token: string';
    expect((await redactText(text)).count).toBe(0);
  });

  it('removes a whole private key block, and one without its end marker up to the end', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----';
    expect((await redactText(`key:\n${key}\ndone`)).value).toBe('key:\n[REDACTED:private-key-block]\ndone');
    expect((await redactText('x -----BEGIN RSA PRIVATE KEY-----\nMIIE')).value).toBe(
      'x [REDACTED:private-key-block]',
    );
  });

  it('leaves ordinary text and binary payloads alone, and copies only when it changed something', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]);
    const result = {
      content: [
        { type: 'text', text: 'The file has 3 lines. Token count: 12.' },
        { type: 'image', data: png.toString('base64'), mimeType: 'image/png' },
      ],
    };
    const r = await redactValue(result);
    expect(r.count).toBe(0);
    expect(r.value).toBe(result);
  });

  it('redacts inside nested structured content and resource contents, and says where', async () => {
    const r = await redactValue({
      structuredContent: { env: { KEY: AKIA } },
      contents: [{ uri: 'x', text: `sk_live_${'a1'.repeat(12)}` }],
    });
    expect(r.value).toEqual({
      structuredContent: { env: { KEY: '[REDACTED:aws]' } },
      contents: [{ uri: 'x', text: '[REDACTED:stripe]' }],
    });
    expect(r.findings).toEqual([
      { rule: 'aws', path: 'structuredContent.env.KEY', count: 1 },
      { rule: 'stripe', path: 'contents[0].text', count: 1 },
    ]);
  });

  it('redacts a secret in a base64 blob and re-encodes the blob', async () => {
    const blob = Buffer.from(`TOKEN=ghp_${'a1B2'.repeat(9)}\n`).toString('base64');
    const r = await redactValue({ contents: [{ uri: 'file:///.env', blob }] });
    const out = Buffer.from(r.value.contents[0]?.blob ?? '', 'base64').toString();
    expect(out).toBe('TOKEN=[REDACTED:github]\n');
  });

  it('throws when a scan exceeds its bounds, so the caller can withhold the message', async () => {
    await expect(redactText('x'.repeat(2000), { bounds: { maxChars: 1000, maxMs: 1000 } })).rejects.toThrow(
      /more than 1000 characters/,
    );
  });

  it('runs deployment-specific patterns as well, and refuses a non-global one', async () => {
    const patterns = [{ kind: 'internal-id', pattern: /\bINT-[0-9]{6}\b/g }];
    expect((await redactText('id INT-123456 here', { patterns })).value).toBe(
      'id [REDACTED:internal-id] here',
    );
    await expect(redactText('x', { patterns: [{ kind: 'bad', pattern: /x/ }] })).rejects.toThrow(/global/);
  });
});

describe('the response path', () => {
  const leaky = { content: [{ type: 'text', text: `key=${AKIA}` }] };

  it('redacts secrets in a tool result before the client sees them, and records the outcome', async () => {
    const h = harness();
    await h.list();
    await h.call(1, 'read_file', { path: '.env' });
    const out = await h.server({ jsonrpc: '2.0', id: 1, result: leaky });
    expect(out.toClient).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        result: { content: [{ type: 'text', text: 'key=[REDACTED:aws]' }] },
      },
    ]);
    expect(JSON.stringify(out)).not.toContain('AKIA');
    const [outcome] = await h.records('outcome');
    expect(outcome?.data).toMatchObject({ status: 'redacted', redactions: 1 });
    expect(h.logs.some((l) => l.event === 'result_redacted')).toBe(true);
  });

  it('records the rule, field path and count of each redaction in the audit, never the secret', async () => {
    const h = harness();
    await h.list();
    await h.call(1, 'read_file', { path: '.env' });
    await h.server({ jsonrpc: '2.0', id: 1, result: leaky });
    const [outcome] = await h.records('outcome');
    expect((outcome?.data as { detail?: string } | undefined)?.detail).toBe(
      'aws at result.content[0].text x1',
    );
    expect(JSON.stringify(await h.records())).not.toContain(AKIA);
  });

  it('withholds a result it cannot scan with redaction_failed, and drops such a notification (fail-closed)', async () => {
    const h = harness({ secretPatterns: [{ kind: 'broken', pattern: /not-global/ }] });
    await h.list();
    await h.call(1, 'read_file', {});
    const out = await h.server({ jsonrpc: '2.0', id: 1, result: leaky });
    expect(denial(out.toClient[0])?.code).toBe('redaction_failed');
    expect(JSON.stringify(out)).not.toContain(AKIA);
    expect((await h.records('outcome'))[0]?.data.status).toBe('blocked');
    const note = await h.server({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: 'info', data: AKIA },
    });
    expect(note.toClient).toEqual([]);
  });

  it('blocks the whole result when configured to', async () => {
    const h = harness({ redaction: 'block' });
    await h.list();
    await h.call(1, 'read_file', {});
    const out = await h.server({ jsonrpc: '2.0', id: 1, result: leaky });
    expect(JSON.stringify(out)).not.toContain('AKIA');
    expect(denial(out.toClient[0])?.code).toBe('result_blocked');
    expect((await h.records('outcome'))[0]?.data.status).toBe('blocked');
  });

  it('redacts resource contents and error messages as well', async () => {
    const h = harness({ mediate: { resources: false } });
    await h.client({ jsonrpc: '2.0', id: 1, method: 'resources/read', params: { uri: 'file:///.env' } });
    const read = await h.server({
      jsonrpc: '2.0',
      id: 1,
      result: { contents: [{ uri: 'file:///.env', text: AKIA }] },
    });
    expect(JSON.stringify(read)).not.toContain('AKIA');
    await h.list();
    await h.call(2, 'read_file', {});
    const err = await h.server({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32000, message: `bad key ${AKIA}` },
    });
    expect(JSON.stringify(err)).not.toContain('AKIA');
  });

  it('withholds a result whose outcome cannot be recorded (fail-closed)', async () => {
    const h = harness();
    await h.list();
    await h.call(1, 'read_file', {});
    await h.audit.close();
    const out = await h.server({
      jsonrpc: '2.0',
      id: 1,
      result: { content: [{ type: 'text', text: 'fine' }] },
    });
    expect(denial(out.toClient[0])?.code).toBe('audit_failed');
  });

  it('passes results through untouched when redaction is off', async () => {
    const h = harness({ redaction: 'off' });
    await h.list();
    await h.call(1, 'read_file', {});
    expect((await h.server({ jsonrpc: '2.0', id: 1, result: leaky })).toClient).toEqual([
      { jsonrpc: '2.0', id: 1, result: leaky },
    ]);
  });
});

describe('a long-lived gate', () => {
  it('leaves nothing behind on the process timeline, however many messages it scans', async () => {
    // The secret scanner's library marks every rule of every scan on the global performance timeline
    // unless its profiler is off: a proxy that scans each result would grow without bound.
    await redactText('warm up: AKIAIOSFODNN7EXAMPLE');
    const before = performance.getEntriesByType('mark').length;
    for (let i = 0; i < 50; i++) await redactText(`line ${i}: token ghp_${'a'.repeat(36)} and more text`);
    expect(performance.getEntriesByType('mark').length).toBe(before);
  });
});
