/**
 * What a call's session showed before the call: the facts a mediator that sees every result on its way
 * back to the agent attaches to each call, so that layers and the policy judge a call by where its
 * values came from, not only by its surface.
 */

/**
 * What a tool can do, inferred once per tool definition from its name, description, input schema and
 * annotations (`classifyTool`). A tool may have several classes, or none.
 */
export type CapabilityClass =
  /** Pays, transfers, refunds, trades, schedules or edits payments. */
  | 'moves-money'
  /** Changes credentials, permissions, membership, sharing, second factors or account recovery. */
  | 'changes-access'
  /** Sends data to people or places outside the session: mail, messages, posts, uploads, webhooks. */
  | 'sends-outside'
  /** Deletes, removes, wipes or overwrites data. */
  | 'deletes'
  /** Runs commands, scripts or code. */
  | 'executes-code'
  /**
   * Changes anything at all: creates, updates, moves, schedules or controls records, files, orders or
   * devices. Every tool that is not a pure read has it, beside any more specific class.
   */
  | 'changes-state'
  /** Reads credentials, private or personal records, financial data or private messages. */
  | 'reads-sensitive'
  /** Reads content that others wrote: web pages, inboxes, files, issues, reviews, channel messages. */
  | 'reads-untrusted';

/** Every capability class, in a fixed order (the order diagnostics and docs list them in). */
export const CAPABILITY_CLASSES: readonly CapabilityClass[] = Object.freeze([
  'moves-money',
  'changes-access',
  'sends-outside',
  'deletes',
  'executes-code',
  'changes-state',
  'reads-sensitive',
  'reads-untrusted',
]);

/** The kinds of values the provenance record keeps. `text` is any other argument string found verbatim. */
export type ValueKind =
  | 'email'
  | 'iban'
  | 'account'
  | 'url'
  | 'host'
  | 'path'
  | 'amount'
  | 'phone'
  | 'identifier'
  | 'secret'
  | 'text';

/** Every value kind, in a fixed order. */
export const VALUE_KINDS: readonly ValueKind[] = Object.freeze([
  'email',
  'iban',
  'account',
  'url',
  'host',
  'path',
  'amount',
  'phone',
  'identifier',
  'secret',
  'text',
]);

/** Where one value of a call's arguments arrived earlier in the session. */
export interface ValueOrigin {
  /** The argument that carries it, as a path: `recipient`, `to[0]`, `body`. */
  readonly argument: string;
  readonly kind: ValueKind;
  /** The tool whose result first carried the value. */
  readonly tool: string;
  /** The 1-based step (call index in the session) of that result. */
  readonly step: number;
  /** That result carried instructions addressed to the agent. */
  readonly flagged: boolean;
  /** The value sits inside such an instruction (the injected text itself asked for it). */
  readonly instructed: boolean;
  /** That result came from a tool that reads sensitive data, or the value is a secret. */
  readonly sensitive: boolean;
}

/** A result flagged earlier in the session for instructions addressed to the agent. */
export interface FlaggedResultFact {
  readonly tool: string;
  readonly step: number;
  /** The finding kinds, each once. */
  readonly kinds: readonly string[];
  /**
   * The classes of the acts the flagged text asked for (`send … to`, `grant … access`, `run …`): read
   * from its verbs and objects as a tool's description is. Absent when nothing was read.
   */
  readonly requested?: readonly CapabilityClass[];
}

/** What the session showed before this call. Bounded: lists keep the most recent entries. */
export interface SessionFacts {
  /** This call's 1-based index among the session's tool calls. */
  readonly step: number;
  /** Flagged results kept (most recent last). */
  readonly flags: readonly FlaggedResultFact[];
  /** Flagged results over the session's life, kept or dropped. */
  readonly flagged: number;
  /** The classes of the tools the session called (and the gate let through) before this call. */
  readonly called: readonly CapabilityClass[];
  /** The values of this call's arguments that arrived in earlier results, with where they came from. */
  readonly origins: readonly ValueOrigin[];
  /** The user's task, when the application that embeds the gate passes it (the MCP proxy does not). */
  readonly task?: string;
}
