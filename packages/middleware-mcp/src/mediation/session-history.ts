/**
 * What one session has shown the gate so far, as facts for its next call: the step count, the capability
 * classes of the tools it called, the results flagged for instructions addressed to the agent, and the
 * provenance of the values results carried (core's `ProvenanceLedger`). Everything is bounded, so a long
 * session costs constant memory; reading the facts for a call is one walk of its arguments.
 */
import {
  CAPABILITY_CLASSES,
  type CapabilityClass,
  type FlaggedResultFact,
  ProvenanceLedger,
  type ProvenanceLimits,
  type SessionFacts,
} from '@governed-mcp/core';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { ResultFinding } from './result-judgement.js';

/** Most flagged results a session keeps; older ones are dropped (and counted). */
export const MAX_RESULT_FLAGS = 64;

/** Most flagged results a call's facts list (the most recent). */
const FACT_FLAGS = 16;

/** Longest task text a call's facts carry. */
const MAX_TASK_CHARS = 4_000;

/** A tool result that carried instructions addressed to the agent, as the session remembers it. */
export interface ResultFlag {
  readonly tool: string;
  readonly requestId: RequestId;
  /** The step of the call whose result this was. */
  readonly step: number;
  /** The finding kinds, each once. */
  readonly kinds: readonly ResultFinding['kind'][];
  /** A short excerpt of the first finding. */
  readonly excerpt: string;
  /** What the response path did with the result. */
  readonly action: 'marked' | 'quarantined' | 'withheld';
  /** The classes of the acts the flagged text asked for. */
  readonly requested: readonly CapabilityClass[];
}

/**
 * The flagged results of one session, bounded: at most {@link MAX_RESULT_FLAGS} (oldest dropped), so a
 * long session costs constant memory. Later calls carry the most recent ones as facts.
 */
export class ResultFlags {
  readonly #flags: ResultFlag[] = [];
  #total = 0;

  /** Remembers one flagged result, dropping the oldest past the bound. */
  add(flag: ResultFlag): void {
    this.#flags.push(flag);
    this.#total++;
    if (this.#flags.length > MAX_RESULT_FLAGS) this.#flags.shift();
  }

  /** The flags kept, oldest first. */
  entries(): readonly ResultFlag[] {
    return this.#flags.slice();
  }

  /** Flagged results over the session's life, kept or dropped. */
  get total(): number {
    return this.#total;
  }

  /** Flags dropped to keep the bound. */
  get dropped(): number {
    return this.#total - this.#flags.length;
  }
}

/** One result as the response path saw it, for the provenance record. */
export interface SeenResult {
  readonly tool: string;
  readonly step: number;
  /** The classes of the tool that returned it. */
  readonly classes: readonly CapabilityClass[];
  /** Every text the result carries (as judged). */
  readonly texts: readonly string[];
  /** The texts of the instructions addressed to the agent found in it; empty when not flagged. */
  readonly instructions: readonly string[];
  readonly flagged: boolean;
}

/** The session's history: steps, classes called, flagged results and value provenance. */
export class SessionHistory {
  readonly flags = new ResultFlags();
  readonly ledger: ProvenanceLedger;
  #step = 0;
  #task: string | undefined;
  readonly #called = new Set<CapabilityClass>();

  constructor(limits?: Partial<ProvenanceLimits>) {
    this.ledger = new ProvenanceLedger(limits);
  }

  /** Starts the next tool call: its 1-based step. */
  nextStep(): number {
    return ++this.#step;
  }

  /** Remembers that a call of a tool with `classes` went through. */
  noteCalled(classes: readonly CapabilityClass[]): void {
    for (const c of classes) this.#called.add(c);
  }

  /** Records the values one result carried, with where they came from. */
  noteResult(seen: SeenResult): void {
    this.ledger.record(seen.texts, {
      tool: seen.tool,
      step: seen.step,
      flagged: seen.flagged,
      sensitive: seen.classes.includes('reads-sensitive'),
      // Only the spans that address the agent: values elsewhere in a flagged result are flagged, not instructed.
      instructions: seen.instructions,
    });
  }

  /**
   * The facts a call at `step` with `args` carries. A task the host passes is recorded once as the
   * user's own words: its values never count as having arrived in a result. Throws only if the ledger
   * does (callers fail closed).
   */
  factsFor(step: number, args: Readonly<Record<string, unknown>>, task: string | undefined): SessionFacts {
    if (task !== undefined && task !== this.#task) {
      this.#task = task;
      this.ledger.recordTrusted([task.slice(0, MAX_TASK_CHARS)]);
    }
    const flags: FlaggedResultFact[] = this.flags
      .entries()
      .slice(-FACT_FLAGS)
      .map((f) => ({ tool: f.tool, step: f.step, kinds: f.kinds, requested: f.requested }));
    return {
      step,
      flags,
      flagged: this.flags.total,
      called: CAPABILITY_CLASSES.filter((c) => this.#called.has(c)),
      origins: this.ledger.originsOf(args),
      ...(task === undefined ? {} : { task: task.slice(0, MAX_TASK_CHARS) }),
    };
  }
}
