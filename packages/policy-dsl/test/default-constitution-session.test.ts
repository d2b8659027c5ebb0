import {
  type CapabilityClass,
  createPipeline,
  type SessionFacts,
  type ToolCall,
  type ValueOrigin,
} from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { createPolicyLayer, DEFAULT_CONSTITUTION, defaultPolicy } from '../src/index.js';
import { callOf } from './helpers.js';

const policy = defaultPolicy();
const pipeline = createPipeline([createPolicyLayer(policy)]);

/** A call as the mediator would hand it over: classes from the definition, facts from the session. */
function sessionCall(
  tool: string,
  args: Record<string, unknown>,
  capabilities: readonly CapabilityClass[],
  session: Partial<SessionFacts>,
): ToolCall {
  return {
    ...callOf(tool, args, 'trusted'),
    capabilities,
    session: { step: 3, flags: [], flagged: 0, called: ['reads-untrusted'], origins: [], ...session },
  };
}

const iban = 'GB29NWBK60161331926819';
const fromResult = (over: Partial<ValueOrigin>): ValueOrigin => ({
  argument: 'recipient',
  kind: 'iban',
  tool: 'read_file',
  step: 1,
  flagged: false,
  instructed: false,
  sensitive: false,
  ...over,
});
const flag = { tool: 'read_file', step: 1, kinds: ['instruction'] };

describe('the default constitution reads where values came from', () => {
  it('lets a value from an unflagged result be used in the next call', async () => {
    const call = sessionCall('send_money', { recipient: iban, amount: 10 }, ['moves-money'], {
      origins: [fromResult({})],
    });
    expect(policy.match(call).decision).toBe('default');
    expect((await pipeline.evaluate(call)).decision.outcome).toBe('allow');
  });

  it('lets a payment with clean values through after a flag that asked for something else', () => {
    const call = sessionCall('send_money', { recipient: iban, amount: 10 }, ['moves-money'], {
      flagged: 1,
      flags: [{ ...flag, requested: ['changes-access'] }],
      origins: [fromResult({})],
    });
    expect(policy.match(call).decision).toBe('default');
  });

  it('asks before a payment once an earlier flagged result asked for a payment', async () => {
    const call = sessionCall('send_money', { recipient: iban, amount: 10 }, ['moves-money'], {
      flagged: 1,
      flags: [{ ...flag, requested: ['moves-money'] }],
      origins: [fromResult({})],
    });
    expect(policy.match(call)).toMatchObject({ decision: 'ask', rule: 'consequential-call-after-injection' });
    const { decision } = await pipeline.evaluate(call);
    expect(decision).toMatchObject({
      outcome: 'ask',
      question: expect.stringMatching(/instructions addressed to the agent/),
      reasons: [{ code: 'policy_ask', data: { rule: 'consequential-call-after-injection' } }],
    });
  });

  it('denies a payment to an IBAN that the injected instructions named', () => {
    const call = sessionCall('send_money', { recipient: iban, amount: 10 }, ['moves-money'], {
      flagged: 1,
      flags: [flag],
      origins: [fromResult({ flagged: true, instructed: true })],
    });
    expect(policy.match(call)).toMatchObject({ decision: 'deny', rule: 'act-on-injected-values' });
  });

  it('denies an instructed value to any consequential class, and not to a read', () => {
    const origins = [fromResult({ kind: 'email', flagged: true, instructed: true })];
    for (const c of ['changes-access', 'sends-outside', 'deletes', 'executes-code'] as const) {
      const call = sessionCall('act', { to: 'a@b.example' }, [c], { flagged: 1, flags: [flag], origins });
      expect(policy.match(call).rule).toBe('act-on-injected-values');
    }
    const read = sessionCall('search', { q: 'a@b.example' }, ['reads-untrusted'], { flagged: 1, origins });
    expect(policy.match(read).decision).toBe('default');
  });

  it('denies opening an address that the injected instructions supplied, with any tool', () => {
    const origins = [fromResult({ argument: 'url', kind: 'url', flagged: true, instructed: true })];
    const call = sessionCall('get_webpage', { url: 'www.example-prize.test' }, ['reads-untrusted'], {
      flagged: 1,
      flags: [flag],
      origins,
    });
    expect(policy.match(call)).toMatchObject({ decision: 'deny', rule: 'follow-injected-addresses' });
    // The same address, arrived in data rather than in the instructions, is opened.
    const data = [fromResult({ argument: 'url', kind: 'url', flagged: true })];
    const fine = sessionCall('get_webpage', { url: 'www.example-prize.test' }, ['reads-untrusted'], {
      flagged: 1,
      origins: data,
    });
    expect(policy.match(fine).decision).toBe('default');
  });

  it('asks before sensitive data goes out after a flag, and lets it out when nothing was flagged', () => {
    const origins = [fromResult({ kind: 'account', tool: 'get_balance', sensitive: true })];
    const args = { to: 'me@home.example', body: 'account 12-3456-789' };
    const after = sessionCall('send_email', args, ['sends-outside'], { flagged: 1, flags: [flag], origins });
    expect(policy.match(after)).toMatchObject({
      decision: 'ask',
      rule: 'sensitive-data-out-after-injection',
    });
    const clean = sessionCall('send_email', args, ['sends-outside'], { origins });
    expect(policy.match(clean).decision).toBe('default');
  });

  it('asks before a consequential call that carries a value from a flagged result', () => {
    const origins = [fromResult({ kind: 'identifier', flagged: true })];
    const call = sessionCall(
      'grant_guest_access',
      { guest: 'guest_a01' },
      ['changes-access', 'changes-state'],
      {
        flagged: 1,
        flags: [flag],
        origins,
      },
    );
    expect(policy.match(call)).toMatchObject({ decision: 'ask', rule: 'consequential-call-after-injection' });
  });

  it('asks before any change when the flagged text asked for a change of no specific class', () => {
    const call = sessionCall('robot_go_to_room', { room: 'kitchen' }, ['changes-state'], {
      flagged: 1,
      flags: [{ ...flag, requested: ['changes-state'] }],
    });
    expect(policy.match(call)).toMatchObject({ decision: 'ask', rule: 'consequential-call-after-injection' });
    const read = sessionCall('robot_status', {}, ['reads-untrusted'], {
      flagged: 1,
      flags: [{ ...flag, requested: ['changes-state'] }],
    });
    expect(policy.match(read).decision).toBe('default');
  });

  it('asks before sending a secret that arrived in a result, even in a session nothing flagged', () => {
    const origins = [fromResult({ argument: 'body', kind: 'secret', tool: 'read_inbox', sensitive: true })];
    const call = sessionCall(
      'send_email',
      { to: 'me@home.example', body: 'code 481516' },
      ['sends-outside'],
      {
        origins,
      },
    );
    expect(policy.match(call)).toMatchObject({ decision: 'ask', rule: 'secrets-leaving' });
    const other = [fromResult({ argument: 'body', kind: 'amount', tool: 'read_inbox', sensitive: true })];
    const fine = sessionCall('send_email', { to: 'me@home.example', body: '98 EUR' }, ['sends-outside'], {
      origins: other,
    });
    expect(policy.match(fine).decision).toBe('default');
  });

  it('asks before sending a value that arrived in a flagged result', () => {
    const origins = [fromResult({ kind: 'email', flagged: true })];
    const call = sessionCall('send_email', { to: 'x@y.example' }, ['sends-outside'], { flagged: 1, origins });
    expect(policy.match(call)).toMatchObject({ decision: 'ask', rule: 'send-values-from-flagged-results' });
  });

  it('stays silent for calls without session facts, whatever the tool', () => {
    expect(policy.match(callOf('send_money', { recipient: iban, amount: 10 }, 'trusted')).decision).toBe(
      'default',
    );
    expect(policy.match(callOf('update_password', { password: 'x' }, 'trusted')).decision).toBe('default');
  });

  it('denies, fail-closed, a call whose session facts are malformed', () => {
    const call = { ...callOf('send_money', {}, 'trusted'), session: { origins: 7 } } as unknown as ToolCall;
    expect(policy.match(call)).toMatchObject({ decision: 'deny', failure: true });
  });

  it('speaks in classes and session subjects, never in tool names', () => {
    const section = DEFAULT_CONSTITUTION.slice(
      DEFAULT_CONSTITUTION.indexOf('session: where values came from'),
    );
    const conditions = section.split('\n').filter((l) => /^\s*(when|unless)\b/.test(l));
    expect(conditions.length).toBeGreaterThanOrEqual(4);
    for (const line of conditions) {
      expect(line).not.toMatch(/\b(tool|server)\s+(==|!=|glob|in|matches)|any string|arg\./);
      expect(line).toMatch(/\b(tool\.class|session\.\w+|origin\.\w+)\b/);
    }
    expect(policy.warnings).toEqual([]);
  });
});
