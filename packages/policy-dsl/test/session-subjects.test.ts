import type { CapabilityClass, SessionFacts, ToolCall, ValueOrigin } from '@governed-mcp/core';
import { createPipeline } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { createPolicyLayer, PolicyErrorCode, parsePolicy } from '../src/index.js';
import { callOf, fires, problems, ruleOf, ruleSource } from './helpers.js';

/** A call with hand-made capability classes and session facts. */
function factCall(
  tool: string,
  facts: { capabilities?: readonly CapabilityClass[]; session?: Partial<SessionFacts> } = {},
): ToolCall {
  const base = callOf(tool, { to: 'x' });
  const session: SessionFacts | undefined =
    facts.session === undefined
      ? undefined
      : { step: 2, flags: [], flagged: 0, called: [], origins: [], ...facts.session };
  return {
    ...base,
    ...(facts.capabilities === undefined ? {} : { capabilities: facts.capabilities }),
    ...(session === undefined ? {} : { session }),
  };
}

function origin(over: Partial<ValueOrigin> = {}): ValueOrigin {
  return {
    argument: 'to',
    kind: 'iban',
    tool: 'read_inbox',
    step: 1,
    flagged: false,
    instructed: false,
    sensitive: false,
    ...over,
  };
}

describe('session subjects parse', () => {
  it('reads tool.class, session.FIELD and origin.FIELD as fact subjects', () => {
    const parsed = parsePolicy(ruleSource('tool.class == deletes and session.flagged > 0'), 'p.policy');
    expect(parsed.ok && parsed.value.statements[1]).toMatchObject({
      when: {
        kind: 'and',
        items: [
          {
            subject: { kind: 'fact', name: 'tool.class' },
            op: '==',
            value: { kind: 'ident', name: 'deletes' },
          },
          {
            subject: { kind: 'fact', name: 'session.flagged' },
            op: '>',
            value: { kind: 'number', value: 0 },
          },
        ],
      },
    });
  });

  it('reads a true-or-false fact written alone as == true', () => {
    const parsed = parsePolicy(ruleSource('origin.instructed and (origin.flagged)'), 'p.policy');
    expect(parsed.ok && parsed.value.statements[1]).toMatchObject({
      when: {
        items: [
          { subject: { name: 'origin.instructed' }, op: '==', value: { kind: 'bool', value: true } },
          { subject: { name: 'origin.flagged' }, op: '==', value: { kind: 'bool', value: true } },
        ],
      },
    });
  });

  it('keeps the plain tool subject when no dot follows', () => {
    expect(fires(ruleOf('deny', 'tool == "send_money"'), callOf('send_money'))).toBe(true);
  });
});

describe('tool.class', () => {
  it('holds when the tool has the class, and in [...] when it has any listed one', () => {
    const call = factCall('pay', { capabilities: ['moves-money', 'reads-sensitive'] });
    expect(fires(ruleOf('deny', 'tool.class == moves-money'), call)).toBe(true);
    expect(fires(ruleOf('deny', 'tool.class == deletes'), call)).toBe(false);
    expect(fires(ruleOf('deny', 'tool.class in [deletes, reads-sensitive]'), call)).toBe(true);
    expect(fires(ruleOf('deny', 'tool.class in [deletes, executes-code]'), call)).toBe(false);
  });

  it('negates with != and not in', () => {
    const call = factCall('pay', { capabilities: ['moves-money'] });
    expect(fires(ruleOf('deny', 'tool.class != moves-money'), call)).toBe(false);
    expect(fires(ruleOf('deny', 'tool.class != deletes'), call)).toBe(true);
    expect(fires(ruleOf('deny', 'tool.class not in [deletes, executes-code]'), call)).toBe(true);
    expect(fires(ruleOf('allow', 'tool.class not in [moves-money]'), call)).toBe(false);
  });

  it('infers the classes from the tool definition when the call carries none', () => {
    expect(fires(ruleOf('deny', 'tool.class == moves-money'), callOf('send_money'))).toBe(true);
    expect(fires(ruleOf('deny', 'tool.class == moves-money'), callOf('read_file'))).toBe(false);
  });

  it('trusts the classes the mediator attached over the inference', () => {
    const call = factCall('send_money', { capabilities: [] });
    expect(fires(ruleOf('deny', 'tool.class == moves-money'), call)).toBe(false);
  });
});

describe('session.flagged, session.step and session.called', () => {
  const after = factCall('pay', {
    session: { flagged: 2, step: 5, called: ['reads-untrusted', 'reads-sensitive'] },
  });

  it('compare as numbers', () => {
    expect(fires(ruleOf('deny', 'session.flagged > 0'), after)).toBe(true);
    expect(fires(ruleOf('deny', 'session.flagged >= 3'), after)).toBe(false);
    expect(fires(ruleOf('deny', 'session.step == 5'), after)).toBe(true);
    expect(fires(ruleOf('deny', 'session.step in [1, 2]'), after)).toBe(false);
    expect(fires(ruleOf('deny', 'session.step != 5'), after)).toBe(false);
  });

  it('reads session.called like tool.class', () => {
    expect(fires(ruleOf('deny', 'session.called == reads-untrusted'), after)).toBe(true);
    expect(fires(ruleOf('deny', 'session.called in [deletes, moves-money]'), after)).toBe(false);
  });

  it('read as 0 and empty for a call without session facts', () => {
    const bare = callOf('pay');
    expect(fires(ruleOf('deny', 'session.flagged > 0'), bare)).toBe(false);
    expect(fires(ruleOf('deny', 'session.flagged == 0 and session.step == 0'), bare)).toBe(true);
    expect(fires(ruleOf('deny', 'session.called in [reads-untrusted]'), bare)).toBe(false);
  });
});

describe('origin subjects', () => {
  const instructed = factCall('pay', {
    session: { flagged: 1, origins: [origin(), origin({ kind: 'amount', flagged: true, instructed: true })] },
  });

  it('hold when some argument value has an origin with that property', () => {
    expect(fires(ruleOf('deny', 'origin.instructed'), instructed)).toBe(true);
    expect(fires(ruleOf('deny', 'origin.flagged == true'), instructed)).toBe(true);
    expect(fires(ruleOf('deny', 'origin.sensitive'), instructed)).toBe(false);
    expect(fires(ruleOf('deny', 'origin.sensitive == false'), instructed)).toBe(true);
    expect(fires(ruleOf('deny', 'origin.instructed != true'), instructed)).toBe(false);
  });

  it('list the kinds and the source tools of the values that have an origin', () => {
    expect(fires(ruleOf('deny', 'origin.kind == iban'), instructed)).toBe(true);
    expect(fires(ruleOf('deny', 'origin.kind in [email, url]'), instructed)).toBe(false);
    expect(fires(ruleOf('deny', 'origin.tool == "ReadInbox"'), instructed)).toBe(true);
    expect(fires(ruleOf('deny', 'origin.tool glob "read_*"'), instructed)).toBe(true);
    expect(fires(ruleOf('deny', 'origin.tool in ["get_webpage"]'), instructed)).toBe(false);
  });

  it('read as false and empty for a call without session facts', () => {
    const bare = callOf('pay', { to: 'DE89370400440532013000' });
    expect(fires(ruleOf('deny', 'origin.instructed or origin.flagged or origin.sensitive'), bare)).toBe(
      false,
    );
    expect(fires(ruleOf('deny', 'origin.kind == iban'), bare)).toBe(false);
  });
});

describe('malformed session facts', () => {
  const policy = ruleOf('deny', 'origin.instructed and tool.class == moves-money');
  const hostile: [string, Record<string, unknown>][] = [
    ['a session that is not an object', { session: 'yes' }],
    ['origins that are not a list', { session: { step: 1, flags: [], flagged: 0, called: [], origins: {} } }],
    [
      'an origin whose instructed is a string',
      {
        session: {
          step: 1,
          flags: [],
          flagged: 1,
          called: [],
          origins: [{ ...origin(), instructed: 'true' }],
        },
      },
    ],
    [
      'capabilities that are not a list',
      {
        capabilities: 'moves-money',
        session: { step: 2, flags: [], flagged: 1, called: [], origins: [origin({ instructed: true })] },
      },
    ],
  ];

  it.each(hostile)('deny, fail-closed, for %s', (_, extra) => {
    const call = { ...callOf('pay'), ...extra } as unknown as ToolCall;
    const m = policy.match(call);
    expect(m).toMatchObject({ decision: 'deny', failure: true });
    expect(m.reason).toMatch(/session facts are unreadable/);
  });

  it('deny through the layer with policy_unmatchable and failure set', async () => {
    const call = { ...callOf('pay'), session: { flagged: -1 } } as unknown as ToolCall;
    const { decision } = await createPipeline([
      createPolicyLayer(ruleOf('deny', 'session.flagged > 0')),
    ]).evaluate(call);
    expect(decision).toMatchObject({
      outcome: 'deny',
      failure: true,
      reasons: [{ code: 'policy_unmatchable' }],
    });
  });
});

describe('session subject diagnostics', () => {
  const one = (when: string) => problems(ruleSource(when));

  it('report an unknown capability class with a code, a place and a suggestion', () => {
    expect(one('tool.class == moves-mony')).toEqual([
      expect.objectContaining({
        code: PolicyErrorCode.UnknownClass,
        line: 3,
        col: 22,
        message: expect.stringMatching(
          /unknown capability class 'moves-mony' \(did you mean 'moves-money'\?\)/,
        ),
      }),
    ]);
    expect(one('origin.kind in [iban, bic]')[0]).toMatchObject({
      code: PolicyErrorCode.UnknownClass,
      message: expect.stringMatching(/unknown value kind 'bic'/),
    });
  });

  it('report an unknown field with a suggestion', () => {
    expect(one('session.flaged > 0')[0]).toMatchObject({
      code: PolicyErrorCode.UnknownField,
      message: expect.stringMatching(/did you mean 'flagged'/),
    });
    expect(one('tool.kind == deletes')[0]).toMatchObject({ code: PolicyErrorCode.UnknownField });
  });

  it.each([
    ['origin.instructed == "yes"'],
    ['origin.sensitive > 1'],
    ['session.flagged == "many"'],
    ['session.step glob "1*"'],
    ['tool.class > 2'],
    ['tool.class matches /money/'],
    ['tool.class == "x" and tool.class exists'],
    ['session.called == [deletes]'],
    ['origin.tool == deletes'],
  ])('report a type mismatch for %s', (when) => {
    expect(one(when).map((d) => d.code)).toContain(PolicyErrorCode.TypeMismatch);
  });

  it('find contradictions on single-valued facts but not on sets', () => {
    expect(one('session.flagged == 0 and session.flagged == 1')[0]).toMatchObject({
      code: PolicyErrorCode.UnreachableRule,
    });
    expect(one('tool.class == deletes and tool.class == sends-outside')).toEqual([]);
  });
});
