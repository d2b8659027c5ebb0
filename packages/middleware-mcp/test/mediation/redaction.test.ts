import { describe, expect, it } from 'vitest';
import { redactText, redactValue } from '../../src/mediation/redaction.js';
import { denial, harness } from './harness.js';

const SECRETS: [string, string][] = [
  ['aws-access-key-id', 'AKIAIOSFODNN7EXAMPLE'],
  ['github-token', `ghp_${'a1B2'.repeat(9)}`],
  ['github-token', `github_pat_${'x'.repeat(30)}`],
  ['slack-token', 'xoxb-123456789012-abcdefghij'],
  ['llm-api-key', `sk-proj-${'Z'.repeat(40)}`],
  ['google-api-key', `AIza${'B'.repeat(35)}`],
  ['stripe-key', `sk_live_${'9'.repeat(24)}`],
  ['jwt', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
];

describe('secret redaction', () => {
  it.each(SECRETS)('replaces a %s', (kind, secret) => {
    const found: string[] = [];
    const out = redactText(`before ${secret} after`, found);
    expect(out).toBe(`before [REDACTED:${kind}] after`);
    expect(found).toEqual([kind]);
  });

  it('keeps the label and redacts only the value of credential assignments, bearer tokens and URL passwords', () => {
    const found: string[] = [];
    expect(redactText('password = "hunter2hunter2"', found)).toBe(
      'password = "[REDACTED:credential-assignment]"',
    );
    expect(redactText(`Authorization: Bearer ${'t'.repeat(30)}`, found)).toBe(
      'Authorization: Bearer [REDACTED:bearer-token]',
    );
    expect(redactText('postgres://admin:s3cretpass@db:5432/x', found)).toBe(
      'postgres://admin:[REDACTED:url-password]@db:5432/x',
    );
    expect(redactText('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', found)).toBe(
      'aws_secret_access_key = [REDACTED:aws-secret-access-key]',
    );
  });

  it('removes a whole private key block, and one without its end marker up to the end', () => {
    const found: string[] = [];
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----';
    expect(redactText(`key:\n${key}\ndone`, found)).toBe('key:\n[REDACTED:private-key]\ndone');
    expect(redactText('x -----BEGIN RSA PRIVATE KEY-----\nMIIE', found)).toBe('x [REDACTED:private-key]');
  });

  it('leaves ordinary text and binary payloads alone, and copies only when it changed something', () => {
    const result = {
      content: [
        { type: 'text', text: 'The file has 3 lines. Token count: 12.' },
        { type: 'image', data: 'AKIAIOSFODNN7EXAMPLE', mimeType: 'image/png' },
      ],
    };
    const r = redactValue(result);
    expect(r.count).toBe(0);
    expect(r.value).toBe(result);
  });

  it('redacts inside nested structured content and resource contents', () => {
    const r = redactValue({
      structuredContent: { env: { KEY: 'AKIAIOSFODNN7EXAMPLE' } },
      contents: [{ uri: 'x', text: 'sk_test_' + 'a'.repeat(20) }],
    });
    expect(r.value).toEqual({
      structuredContent: { env: { KEY: '[REDACTED:aws-access-key-id]' } },
      contents: [{ uri: 'x', text: '[REDACTED:stripe-key]' }],
    });
    expect(r.kinds).toEqual(['aws-access-key-id', 'stripe-key']);
  });
});

describe('the response path', () => {
  const leaky = { content: [{ type: 'text', text: 'key=AKIAIOSFODNN7EXAMPLE' }] };

  it('redacts secrets in a tool result before the client sees them, and records the outcome', async () => {
    const h = harness();
    await h.list();
    await h.call(1, 'read_file', { path: '.env' });
    const out = await h.server({ jsonrpc: '2.0', id: 1, result: leaky });
    expect(out.toClient).toEqual([
      {
        jsonrpc: '2.0',
        id: 1,
        result: { content: [{ type: 'text', text: 'key=[REDACTED:aws-access-key-id]' }] },
      },
    ]);
    expect(JSON.stringify(out)).not.toContain('AKIA');
    const [outcome] = await h.records('outcome');
    expect(outcome?.data).toMatchObject({ status: 'redacted', redactions: 1 });
    expect(h.logs.some((l) => l.event === 'result_redacted')).toBe(true);
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
      result: { contents: [{ uri: 'file:///.env', text: 'AKIAIOSFODNN7EXAMPLE' }] },
    });
    expect(JSON.stringify(read)).not.toContain('AKIA');
    await h.list();
    await h.call(2, 'read_file', {});
    const err = await h.server({
      jsonrpc: '2.0',
      id: 2,
      error: { code: -32000, message: 'bad key AKIAIOSFODNN7EXAMPLE' },
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
