import {
  canonicalToolName,
  classifyPath,
  looksLikePath,
  type PathClass,
  PathExtractLimitError,
  type PathFact,
  pathFactForms,
  pathTextsOf,
  type ToolCall,
} from '@governed-mcp/core';
import { normalizeText } from './normalize.js';
import {
  calledClassesOf,
  type OriginFacts,
  originFactsOf,
  requestedClassesOf,
  sessionCountOf,
  toolClassesOf,
} from './session-view.js';

/** Limits on how much of a call's arguments the policy walks; past them the call is denied. */
export const ARGUMENT_LIMITS = Object.freeze({ depth: 64, nodes: 100_000 });

/** Thrown when arguments are too deep, too large or cyclic to be matched in full. */
export class UnreadableArgumentsError extends Error {
  override readonly name = 'UnreadableArgumentsError';
}

const NONE: readonly unknown[] = Object.freeze([]);

/**
 * One call as the compiled policy reads it. Every part is normalised once, when a rule first
 * needs it, and kept for the other rules of the same match.
 */
export class CallView {
  readonly call: ToolCall;
  #tool: string | undefined;
  #strings: readonly string[] | undefined;
  #args: Map<string, readonly unknown[]> | undefined;
  #classes: readonly (readonly PathClass[])[] | undefined;
  readonly #paths: PathFact | undefined;
  #toolClasses: ReadonlySet<string> | undefined;
  #called: ReadonlySet<string> | undefined;
  #requested: ReadonlySet<string> | undefined;
  #origins: OriginFacts | undefined;

  /** `paths` is the path layer's fact: the call's paths normalised and resolved on disk. */
  constructor(call: ToolCall, paths?: PathFact) {
    this.call = call;
    this.#paths = paths;
  }

  /**
   * The classes of a string read as a path: core's classification of the text, and of every form
   * the path layer resolved it to (a symlinked directory seen through), or of a command word in it.
   */
  pathClasses(value: string): readonly PathClass[] {
    const own = looksLikePath(value) ? (classifyPath(value)?.classes ?? []) : [];
    const entries = this.#paths?.entries;
    if (entries === undefined || entries.length === 0) return own;
    const out = new Set(own);
    for (const e of entries)
      if (e.raw === value || value.includes(e.raw)) for (const c of e.classes) out.add(c);
    return [...out];
  }

  /** The classes of every path in the call: the path layer's entries and path-shaped strings. */
  get allPathClasses(): readonly (readonly PathClass[])[] {
    if (this.#classes === undefined) {
      const out: (readonly PathClass[])[] = (this.#paths?.entries ?? []).map((e) => e.classes);
      // Path-shaped strings, bare names under path keys, and the path words of one-line strings
      // other than content (`cat ~/.ssh/id_rsa | base64`); documents that mention a path are text.
      let texts: string[];
      try {
        texts = pathTextsOf(this.call.arguments, normalizeText);
      } catch (e) {
        if (e instanceof PathExtractLimitError) throw new UnreadableArgumentsError(e.message);
        throw e;
      }
      for (const s of texts) out.push(classifyPath(s)?.classes ?? []);
      this.#classes = out;
    }
    return this.#classes;
  }

  /** The tool's name in canonical form (`canonicalToolName`): what every tool-name predicate compares. */
  get tool(): string {
    if (this.#tool === undefined) this.#tool = canonicalToolName(this.call.tool.name);
    return this.#tool;
  }

  /** The tool's capability classes (`tool.class`): the mediator's, or inferred from its definition. */
  get toolClasses(): ReadonlySet<string> {
    if (this.#toolClasses === undefined) this.#toolClasses = toolClassesOf(this.call);
    return this.#toolClasses;
  }

  /** The classes of the tools the session called before this call (`session.called`). */
  get calledClasses(): ReadonlySet<string> {
    if (this.#called === undefined) this.#called = calledClassesOf(this.call);
    return this.#called;
  }

  /** The classes of the acts flagged results of the session asked for (`session.requested`). */
  get requestedClasses(): ReadonlySet<string> {
    if (this.#requested === undefined) this.#requested = requestedClassesOf(this.call);
    return this.#requested;
  }

  /** What the origins of the call's argument values show (`origin.*`). */
  get origins(): OriginFacts {
    if (this.#origins === undefined) this.#origins = originFactsOf(this.call);
    return this.#origins;
  }

  /** `session.flagged` or `session.step`; 0 when the call has no session facts. */
  sessionCount(field: 'flagged' | 'step'): number {
    return sessionCountOf(this.call, field);
  }

  /** The values found at an argument path, strings normalised; arrays on the way (and at the end) are spread. */
  arg(path: readonly string[], key: string): readonly unknown[] {
    let memo = this.#args;
    if (memo === undefined) {
      memo = new Map();
      this.#args = memo;
    }
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const found = resolve(this.call.arguments, path);
    memo.set(key, found);
    return found;
  }

  /** Every string in the arguments, keys included, normalised. */
  get strings(): readonly string[] {
    // The path layer's normalised and resolved forms join the strings: a rule about `**/.ssh/**`
    // sees `~/notes/authorized_keys` when `notes` is a symlink to `.ssh`.
    if (this.#strings === undefined)
      this.#strings = [
        ...collectStrings(this.call.arguments),
        ...pathFactForms(this.#paths).map(normalizeText),
      ];
    return this.#strings;
  }
}

function own(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}

function resolve(root: unknown, path: readonly string[]): readonly unknown[] {
  let current: unknown[] = [root];
  for (const key of path) {
    const next: unknown[] = [];
    for (const value of current) step(value, key, next, 0);
    if (next.length === 0) return NONE;
    current = next;
  }
  const leaves: unknown[] = [];
  for (const value of current) spread(value, leaves, 0);
  return leaves;
}

function step(value: unknown, key: string, out: unknown[], depth: number): void {
  if (depth > ARGUMENT_LIMITS.depth) throw new UnreadableArgumentsError('arguments are nested too deeply');
  if (Array.isArray(value)) {
    if (/^\d+$/.test(key)) {
      if (Object.hasOwn(value, key)) out.push(value[Number(key)]);
      return;
    }
    for (const item of value) step(item, key, out, depth + 1);
    return;
  }
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, key)) out.push(own(value, key));
}

function spread(value: unknown, out: unknown[], depth: number): void {
  if (depth > ARGUMENT_LIMITS.depth) throw new UnreadableArgumentsError('arguments are nested too deeply');
  if (!Array.isArray(value)) {
    // Strings are normalised here, once per call and path, so that no predicate has to.
    if (value !== undefined) out.push(typeof value === 'string' ? normalizeText(value) : value);
    return;
  }
  if (out.length + value.length > ARGUMENT_LIMITS.nodes)
    throw new UnreadableArgumentsError('too many argument values');
  for (const item of value) spread(item, out, depth + 1);
}

function collectStrings(root: unknown): readonly string[] {
  const out: string[] = [];
  const seen = new Set<object>();
  let nodes = 0;
  const walk = (value: unknown, depth: number): void => {
    if (++nodes > ARGUMENT_LIMITS.nodes) throw new UnreadableArgumentsError('too many argument values');
    if (typeof value === 'string') {
      out.push(normalizeText(value));
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (depth > ARGUMENT_LIMITS.depth) throw new UnreadableArgumentsError('arguments are nested too deeply');
    if (seen.has(value)) throw new UnreadableArgumentsError('arguments contain a cycle');
    seen.add(value);
    if (Array.isArray(value)) for (const item of value) walk(item, depth + 1);
    else {
      for (const key of Object.keys(value)) {
        out.push(normalizeText(key));
        walk(own(value, key), depth + 1);
      }
    }
    seen.delete(value);
  };
  walk(root, 0);
  return out;
}
