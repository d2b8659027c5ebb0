import type { ValueKind, ValueOrigin } from '../session-facts.js';
import {
  argumentLeaves,
  bareToken,
  hashText,
  hasWholeWord,
  normalizeText,
  numberTokens,
  withoutSpans,
} from './provenance-text.js';
import { collapsedLength, forEachSeenHash, hasHash, wordHashes } from './text-hashes.js';
import { findValues } from './values.js';

/** Where one tool result came from, and what its judgement found in it. */
export interface ResultSource {
  readonly tool: string;
  /** The 1-based step (call index in the session) the result answered. */
  readonly step: number;
  /** The result carried instructions addressed to the agent. */
  readonly flagged: boolean;
  /** The tool reads sensitive data (credentials, money, private messages). */
  readonly sensitive: boolean;
  /** The texts of the instructions addressed to the agent found in this result (spans), if flagged. */
  readonly instructions?: readonly string[];
}

/** The bounds of one session's ledger. */
export interface ProvenanceLimits {
  /** Values kept (oldest first out). */
  maxValues: number;
  /** Instruction texts kept (oldest first out). */
  maxInstructions: number;
  /** Longest instruction text kept. */
  maxInstructionChars: number;
  /** Longest prefix of one result text that is read. */
  maxTextChars: number;
  /** Words and short strings seen harmlessly that are remembered (as 32-bit hashes). */
  maxKnownWords: number;
}

/** Defaults: a few hundred KiB per session at most. */
export const DEFAULT_PROVENANCE_LIMITS: ProvenanceLimits = Object.freeze({
  maxValues: 4_096,
  maxInstructions: 32,
  maxInstructionChars: 4_096,
  maxTextChars: 64 * 1024,
  maxKnownWords: 8_192,
});

interface Arrival {
  readonly kind: ValueKind;
  readonly tool: string;
  readonly step: number;
  readonly flagged: boolean;
  readonly sensitive: boolean;
}

interface Instruction {
  readonly text: string;
  readonly tool: string;
  readonly step: number;
  /** The normalized values and number tokens the instruction carries. */
  readonly values: ReadonlySet<string>;
  /** The hashes of the text's words, sorted: rules an argument string out without scanning the text. */
  readonly words: Uint32Array;
}

/** Longest argument string matched whole against instruction texts. */
const MAX_WHOLE = 200;
const MIN_WHOLE = 3;
/**
 * A bounded per-session record of the values that arrived in tool results, each with where it first
 * arrived, and of the instructions flagged results carried. A call's argument values are looked up in
 * it (`originsOf`) so that layers see which values an injected instruction supplied.
 *
 * Numbers in arguments are matched only as amounts: against amounts that arrived typed (`$1,200`) and
 * against number tokens of instruction texts, never against any number a result happened to show.
 */
export class ProvenanceLedger {
  private readonly limits: ProvenanceLimits;
  private readonly arrivals = new Map<string, Arrival>();
  private readonly trusted = new Set<string>();
  private readonly instructions: Instruction[] = [];
  private readonly known = new Set<number>();
  private dropped = 0;

  constructor(limits: Partial<ProvenanceLimits> = {}) {
    this.limits = { ...DEFAULT_PROVENANCE_LIMITS, ...limits };
  }

  /** Records the values the texts of one result carry. A value keeps its FIRST arrival. */
  record(texts: readonly string[], source: ResultSource): void {
    for (const raw of texts) {
      if (typeof raw !== 'string' || raw.length === 0) continue;
      const text = raw.length > this.limits.maxTextChars ? raw.slice(0, this.limits.maxTextChars) : raw;
      for (const v of findValues(text)) {
        if (this.trusted.has(v.value) || this.arrivals.has(v.value)) continue;
        const sensitive = source.sensitive || v.kind === 'secret';
        this.arrivals.set(v.value, {
          kind: v.kind,
          tool: source.tool,
          step: source.step,
          flagged: source.flagged,
          sensitive,
        });
        this.evictValues();
      }
      if (!source.flagged) this.remember(text);
      else if (source.instructions !== undefined) {
        // The data around an instruction is data: its words count as seen harmlessly. A text whose
        // instructions cannot all be cut out of it (cut short, or spelled differently) stays unremembered.
        const rest = withoutSpans(text, source.instructions);
        if (rest !== undefined && rest.trim() !== '') this.remember(rest);
      }
    }
    if (!source.flagged) return;
    // Without spans, a flagged result is all instruction; an empty list means it carried only requests
    // that did not address the agent, and its values are flagged but not instructed.
    const spans = source.instructions ?? texts;
    for (const span of spans) if (typeof span === 'string') this.keepInstruction(span, source);
  }

  /** Values the user gave (the task, when the host passes it): they never count as arriving in a result. */
  recordTrusted(texts: readonly string[]): void {
    for (const raw of texts) {
      if (typeof raw !== 'string') continue;
      const text = raw.length > this.limits.maxTextChars ? raw.slice(0, this.limits.maxTextChars) : raw;
      for (const v of findValues(text)) {
        this.arrivals.delete(v.value);
        this.trusted.add(v.value);
        if (this.trusted.size > this.limits.maxValues) this.shift(this.trusted);
      }
      this.remember(text);
    }
  }

  /** The origins of the values a call's arguments carry (at most `max`, default 32). Never throws. */
  originsOf(args: Readonly<Record<string, unknown>>, max = 32): ValueOrigin[] {
    const out: ValueOrigin[] = [];
    const seen = new Set<string>();
    const push = (key: string, origin: ValueOrigin): void => {
      if (out.length >= max || seen.has(key)) return;
      seen.add(key);
      out.push(origin);
    };
    try {
      for (const leaf of argumentLeaves(args)) {
        if (out.length >= max) break;
        const argument = leaf.path;
        if (typeof leaf.value === 'number') {
          this.numberOrigin(argument, String(leaf.value), push);
          continue;
        }
        let whole = false;
        const text = leaf.value;
        for (const v of findValues(text, 64)) {
          const a = this.arrivals.get(v.value);
          if (a === undefined) continue;
          if (v.start === 0 && v.end >= text.trim().length) whole = true;
          const instructed = a.flagged && this.instructions.some((i) => i.values.has(v.value));
          const sensitive = a.sensitive || v.kind === 'secret';
          push(`${argument}|${v.value}`, {
            argument,
            kind: a.kind,
            tool: a.tool,
            step: a.step,
            flagged: a.flagged,
            instructed,
            sensitive,
          });
        }
        if (!whole) this.wholeOrigin(argument, text, push);
      }
    } catch {
      // Fail soft here: the facts are partial, and the layers that read them decide.
    }
    return out;
  }

  /** Sizes, for tests and the bench. */
  stats(): {
    readonly values: number;
    readonly instructions: number;
    readonly dropped: number;
    readonly approxBytes: number;
  } {
    let bytes = this.known.size * 16 + this.trusted.size * 48;
    for (const key of this.arrivals.keys()) bytes += key.length * 2 + 96;
    for (const key of this.trusted) bytes += key.length * 2;
    for (const i of this.instructions) {
      bytes += i.text.length * 2 + 64 + i.values.size * 48 + i.words.byteLength;
    }
    return {
      values: this.arrivals.size,
      instructions: this.instructions.length,
      dropped: this.dropped,
      approxBytes: bytes,
    };
  }

  private numberOrigin(argument: string, n: string, push: (key: string, o: ValueOrigin) => void): void {
    const a = this.arrivals.get(n);
    if (a !== undefined && a.kind === 'amount') {
      const instructed = a.flagged && this.instructions.some((i) => i.values.has(n));
      push(`${argument}|${n}`, {
        argument,
        kind: 'amount',
        tool: a.tool,
        step: a.step,
        flagged: a.flagged,
        instructed,
        sensitive: a.sensitive,
      });
      return;
    }
    // A number the user gave, or one seen harmlessly first, is not the instruction's.
    if (this.trusted.has(n) || this.known.has(hashText(n))) return;
    const i = this.instructions.find((x) => x.values.has(n));
    if (i !== undefined) {
      push(`${argument}|${n}`, {
        argument,
        kind: 'amount',
        tool: i.tool,
        step: i.step,
        flagged: true,
        instructed: true,
        sensitive: false,
      });
    }
  }

  /** A whole argument string an instruction spelled out, unless it was first seen harmlessly. */
  private wholeOrigin(argument: string, text: string, push: (key: string, o: ValueOrigin) => void): void {
    if (this.instructions.length === 0) return;
    const head = text.length > MAX_WHOLE * 4 ? text.slice(0, MAX_WHOLE * 4) : text;
    // Too long once collapsed: rule it out before building its normalized spelling.
    if (collapsedLength(head, MAX_WHOLE) > MAX_WHOLE) return;
    const norm = normalizeText(head);
    if (norm.length < MIN_WHOLE || norm.length > MAX_WHOLE) return;
    if (this.known.has(hashText(norm)) || this.known.has(hashText(bareToken(norm)))) return;
    const words = wordHashes(norm);
    for (let k = this.instructions.length - 1; k >= 0; k--) {
      const i = this.instructions[k] as Instruction;
      if (!words.every((h) => hasHash(i.words, h))) continue;
      if (hasWholeWord(i.text, norm)) {
        push(`${argument}|${norm}`, {
          argument,
          kind: 'text',
          tool: i.tool,
          step: i.step,
          flagged: true,
          instructed: true,
          sensitive: false,
        });
        return;
      }
    }
  }

  private keepInstruction(span: string, source: ResultSource): void {
    const text = normalizeText(
      span.length > this.limits.maxInstructionChars * 2
        ? span.slice(0, this.limits.maxInstructionChars * 2)
        : span,
    ).slice(0, this.limits.maxInstructionChars);
    if (text === '') return;
    const values = new Set<string>();
    for (const v of findValues(span.slice(0, this.limits.maxInstructionChars * 2), 128)) {
      values.add(v.value);
      // An instruction past the part of a long text that was read for values still brings its values.
      if (!this.trusted.has(v.value) && !this.arrivals.has(v.value)) {
        const sensitive = source.sensitive || v.kind === 'secret';
        this.arrivals.set(v.value, {
          kind: v.kind,
          tool: source.tool,
          step: source.step,
          flagged: true,
          sensitive,
        });
        this.evictValues();
      }
    }
    numberTokens(text, values);
    this.instructions.push({ text, tool: source.tool, step: source.step, values, words: wordHashes(text) });
    while (this.instructions.length > this.limits.maxInstructions) {
      this.instructions.shift();
      this.dropped++;
    }
  }

  /** Remembers the words and short strings of a harmless text, so they never count as instructed. */
  private remember(text: string): void {
    const known = this.known;
    const max = this.limits.maxKnownWords;
    forEachSeenHash(text, MAX_WHOLE, max, (h) => {
      if (known.has(h)) return;
      known.add(h);
      if (known.size > max) this.shift(known);
    });
  }

  private evictValues(): void {
    while (this.arrivals.size > this.limits.maxValues) {
      const first = this.arrivals.keys().next();
      if (first.done === true) return;
      this.arrivals.delete(first.value);
      this.dropped++;
    }
  }

  private shift<T>(s: Set<T>): void {
    const first = s.values().next();
    if (first.done !== true) s.delete(first.value);
  }
}
