import { type CapabilityClass, classifyTool, type ToolCall, type ValueOrigin } from '@governed-mcp/core';

/** How many entries a fact list may hold before the call is refused as unreadable. */
export const FACT_LIMITS = Object.freeze({ entries: 10_000 });

/**
 * Thrown when a call's session facts or capability classes have a shape no mediator produces. The
 * match turns it into a deny (fail-closed): facts that cannot be read prove nothing either way.
 */
export class UnreadableFactsError extends Error {
  override readonly name = 'UnreadableFactsError';
}

const NONE: readonly never[] = Object.freeze([]);

/** What the rules read of one origin: its three properties, its kind and its source tool. */
export interface OriginFacts {
  readonly instructed: boolean;
  readonly flagged: boolean;
  readonly sensitive: boolean;
  readonly kinds: ReadonlySet<string>;
  readonly tools: readonly string[];
}

const NO_ORIGINS: OriginFacts = Object.freeze({
  instructed: false,
  flagged: false,
  sensitive: false,
  kinds: new Set<string>(),
  tools: NONE,
});

function fail(what: string): never {
  throw new UnreadableFactsError(`the call's session facts are unreadable: ${what}`);
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): readonly unknown[] {
  if (!Array.isArray(value)) fail(`${what} is not a list`);
  if (value.length > FACT_LIMITS.entries) fail(`${what} has more than ${FACT_LIMITS.entries} entries`);
  return value;
}

function words(value: unknown, what: string): ReadonlySet<string> {
  const out = new Set<string>();
  for (const item of list(value, what)) {
    if (typeof item !== 'string') fail(`${what} holds something other than names`);
    out.add(item);
  }
  return out;
}

/** The session facts as an object, or undefined when the call has none (no mediator in front). */
function sessionOf(call: ToolCall): Record<string, unknown> | undefined {
  const session: unknown = call.session;
  return session === undefined ? undefined : record(session, 'session');
}

/**
 * The tool's capability classes: the mediator's (`call.capabilities`), or else inferred from the
 * definition the call carries (`classifyTool`).
 */
export function toolClassesOf(call: ToolCall): ReadonlySet<string> {
  const given: unknown = call.capabilities;
  if (given !== undefined) return words(given, 'capabilities');
  return new Set<CapabilityClass>(classifyTool(call.tool));
}

/** `session.flagged` or `session.step`: a count, 0 when the call has no session facts. */
export function sessionCountOf(call: ToolCall, field: 'flagged' | 'step'): number {
  const session = sessionOf(call);
  if (session === undefined) return 0;
  const n = session[field];
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) fail(`session.${field} is not a count`);
  return n;
}

/** `session.called`: the classes of the tools the session called before; empty without facts. */
export function calledClassesOf(call: ToolCall): ReadonlySet<string> {
  const session = sessionOf(call);
  return session === undefined ? new Set() : words(session.called, 'session.called');
}

/**
 * `session.requested`: the classes of the acts that the flagged results kept in the facts asked for;
 * empty without facts. A flag without `requested` asked for nothing the gate could read.
 */
export function requestedClassesOf(call: ToolCall): ReadonlySet<string> {
  const session = sessionOf(call);
  const out = new Set<string>();
  if (session === undefined) return out;
  for (const item of list(session.flags, 'session.flags')) {
    const flag = record(item, 'a flag');
    if (flag.requested === undefined) continue;
    for (const c of words(flag.requested, "a flag's requested classes")) out.add(c);
  }
  return out;
}

/** What the call's argument values' origins show, folded: any instructed, any flagged, … */
export function originFactsOf(call: ToolCall): OriginFacts {
  const session = sessionOf(call);
  if (session === undefined) return NO_ORIGINS;
  const origins = list(session.origins, 'session.origins');
  if (origins.length === 0) return NO_ORIGINS;
  let instructed = false;
  let flagged = false;
  let sensitive = false;
  const kinds = new Set<string>();
  const tools: string[] = [];
  for (const item of origins) {
    const o = record(item, 'an origin') as Partial<Record<keyof ValueOrigin, unknown>>;
    if (
      typeof o.instructed !== 'boolean' ||
      typeof o.flagged !== 'boolean' ||
      typeof o.sensitive !== 'boolean' ||
      typeof o.kind !== 'string' ||
      typeof o.tool !== 'string'
    )
      fail('an origin lacks instructed, flagged, sensitive, kind or tool');
    instructed ||= o.instructed;
    flagged ||= o.flagged;
    sensitive ||= o.sensitive;
    kinds.add(o.kind);
    tools.push(o.tool);
  }
  return { instructed, flagged, sensitive, kinds, tools };
}
