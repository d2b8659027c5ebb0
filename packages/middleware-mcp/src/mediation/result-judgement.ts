/**
 * Response-path judgement of tool results: every text a tool result carries to the agent (each text
 * content item, the text of embedded resources, every string of `structuredContent`, the message of a
 * JSON-RPC error) is read for instructions addressed to the agent, twice: by the result-directive
 * detector (`directiveSpans`: weighted cues per sentence, with spans, English) and by the signals that
 * read tool definitions and server texts (`scanResultText`: hidden-instruction patterns and the scored
 * signals, any language, no span: the whole text is the span). Secret paths or invisible characters in
 * data are data. Each flagged span is read for the acts it asks for (`requestedClasses`). At most
 * `MAX_SCANNED_CHARS` are read per result; text past that budget is reported as unscanned, and the
 * strict modes treat it as flagged (fail-closed).
 */
import { CAPABILITY_CLASSES, type CapabilityClass, requestedClasses } from '@governed-mcp/core';
import { MAX_SCANNED_CHARS, type PoisonFinding, type PoisonKind, scanResultText } from './poisoning.js';
import { directiveSpans } from './result-directives.js';

/** What to do with a result that carries instructions addressed to the agent. */
export type ResultInstructionsMode = 'mark' | 'quarantine' | 'withhold';

/** The text that replaces a flagged span (or an unscanned text) in `quarantine` mode. */
export const QUARANTINE_NOTICE =
  '[withheld by governed-mcp: this result contained instructions addressed to the agent]';

/** Most instruction spans a judgement reports, and most characters kept of each. */
export const MAX_INSTRUCTION_SPANS = 16;
/** Most characters of one instruction span kept in {@link ResultJudgement.instructions}. */
export const MAX_INSTRUCTION_CHARS = 2000;

/** The finding kinds that flag a result. */
/** The detector's cues that say a span addresses the agent rather than asking a person for something. */
const ADDRESSING_CUES: ReadonlySet<string> = new Set([
  'addresses-agent',
  'overrides-task',
  'conceals',
  'role-markup',
  'hidden-wrapper',
]);

const INSTRUCTION_KINDS: ReadonlySet<PoisonKind> = new Set(['agent-directives', 'hidden-instructions']);

/** One flagged span of a text of a result. */
export interface ResultFinding {
  /**
   * `result-directives` (the result-directive detector), a scanner kind, `unscanned`, or the probe's:
   * `probe` (it judged the result's texts dangerous) or `probe-failed` (it could not answer).
   */
  readonly kind: PoisonKind | 'result-directives' | 'unscanned' | 'probe' | 'probe-failed';
  /** Where in the answer: `result.content[0].text`, `result.structuredContent.body`, `error.message`. */
  readonly path: string;
  /** A short excerpt of the span (or the signals found), for a reviewer. */
  readonly excerpt: string;
  /** Offset of the instruction span in that text (UTF-16 units); 0 when the whole text is flagged. */
  readonly start: number;
  /** Offset just past the instruction span; the text's length when the whole text is flagged. */
  readonly end: number;
  /**
   * The span addresses the agent (names it, claims precedence over the user's task, hides itself, or
   * wears role markup), rather than being a bare request in data ("Please pay to IBAN …" on a bill).
   * Only addressed spans make the values inside them count as instructed; a bare request flags the
   * result (and so the session) all the same.
   */
  readonly addressed: boolean;
}

/** What judging one answer gave: the findings, the texts read, and the answer to deliver. */
export interface ResultJudgement<T> {
  readonly findings: readonly ResultFinding[];
  /**
   * The text of each flagged span that addresses the agent, in order (at most 16, each cut to 2,000
   * characters). Bare requests in data flag the result but are not listed.
   */
  readonly instructions: readonly string[];
  /**
   * The classes of the acts the flagged spans ask for (`requestedClasses` of each span, requests and
   * instructions alike); empty when nothing was flagged.
   */
  readonly requested: readonly CapabilityClass[];
  /** Every text judged, in order (within the scan budget): what the provenance record reads. */
  readonly texts: readonly string[];
  /** The answer as judged: the input itself unless `quarantine` replaced a span. */
  readonly value: T;
}

type Key = string | number;

interface Spot {
  readonly keys: readonly Key[];
  readonly text: string;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every string of a JSON value with its key path (depth already bounded by the frame limits). */
function stringsOf(value: unknown, keys: Key[], out: Spot[]): void {
  if (typeof value === 'string') out.push({ keys: [...keys], text: value });
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) stringsOf(value[i], [...keys, i], out);
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) stringsOf(v, [...keys, k], out);
  }
}

/** The texts of an answer `{ result }` or `{ error }` the agent reads. */
function spotsOf(body: unknown): Spot[] {
  const out: Spot[] = [];
  if (!isRecord(body)) return out;
  const error = body['error'];
  if (isRecord(error) && typeof error['message'] === 'string') {
    out.push({ keys: ['error', 'message'], text: error['message'] });
  }
  const result = body['result'];
  if (!isRecord(result)) return out;
  const content = result['content'];
  if (Array.isArray(content)) {
    content.forEach((item, i) => {
      if (!isRecord(item)) return;
      if (typeof item['text'] === 'string')
        out.push({ keys: ['result', 'content', i, 'text'], text: item['text'] });
      const resource = item['resource'];
      if (isRecord(resource) && typeof resource['text'] === 'string') {
        out.push({ keys: ['result', 'content', i, 'resource', 'text'], text: resource['text'] });
      }
    });
  }
  if (result['structuredContent'] !== undefined) {
    stringsOf(result['structuredContent'], ['result', 'structuredContent'], out);
  }
  return out;
}

function pathOf(keys: readonly Key[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

interface Flagged {
  readonly keys: readonly Key[];
  /** Spans to replace, sorted and disjoint; undefined: replace the whole string. */
  readonly spans: readonly (readonly [number, number])[] | undefined;
}

/** `text` with each span replaced by the notice (the rest kept). */
function withNotices(text: string, spans: readonly (readonly [number, number])[]): string {
  let out = '';
  let at = 0;
  for (const [a, b] of spans) {
    out += text.slice(at, a) + QUARANTINE_NOTICE;
    at = b;
  }
  return out + text.slice(at);
}

/** A copy of `value` with the flagged spans (or whole strings) replaced by the notice. */
function quarantined<T>(value: T, flagged: readonly Flagged[]): T {
  const copy = structuredClone(value) as unknown;
  for (const { keys, spans } of flagged) {
    let at = copy as Record<Key, unknown>;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<Key, unknown>;
    const last = keys[keys.length - 1] as Key;
    const text = at[last];
    at[last] = spans === undefined || typeof text !== 'string' ? QUARANTINE_NOTICE : withNotices(text, spans);
  }
  return copy as T;
}

/**
 * A copy of an answer with every text the agent reads (those {@link judgeResult} judges) replaced by
 * {@link QUARANTINE_NOTICE}: how a finding without a span (the probe's) is quarantined.
 */
export function quarantineAll<T>(body: T): T {
  const spots = spotsOf(body);
  return spots.length === 0
    ? body
    : quarantined(
        body,
        spots.map((s) => ({ keys: s.keys, spans: undefined })),
      );
}

/** Disjoint, sorted union of spans. */
function merged(spans: (readonly [number, number])[]): (readonly [number, number])[] {
  const sorted = [...spans].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/**
 * Judges one answer on its way to the agent. In `quarantine` mode each flagged span is replaced by
 * {@link QUARANTINE_NOTICE} in a copy, the rest of its text kept (a text flagged only by the server-text
 * scanner, which gives no span, or left unscanned, is replaced whole); other modes return the answer
 * itself.
 * @example
 * const j = judgeResult({ result: { content: [{ type: 'text', text }] } }, 'mark');
 * if (j.findings.length > 0) markSession(j.findings, j.instructions);
 */
export function judgeResult<T>(body: T, mode: ResultInstructionsMode): ResultJudgement<T> {
  const findings: ResultFinding[] = [];
  const instructions: string[] = [];
  const texts: string[] = [];
  const flagged: Flagged[] = [];
  // Every flagged span (at most as many as instructions are kept), read for the acts it asks for.
  const requests: string[] = [];
  const request = (span: string) => {
    if (requests.length < MAX_INSTRUCTION_SPANS) requests.push(span.slice(0, MAX_INSTRUCTION_CHARS));
  };
  const keep = (span: string) => {
    if (instructions.length < MAX_INSTRUCTION_SPANS) instructions.push(span.slice(0, MAX_INSTRUCTION_CHARS));
  };
  let budget = MAX_SCANNED_CHARS;
  for (const spot of spotsOf(body)) {
    const path = pathOf(spot.keys);
    const text = spot.text;
    if (text.length > budget) {
      findings.push({
        kind: 'unscanned',
        path,
        excerpt: `past the ${MAX_SCANNED_CHARS}-character scan budget`,
        start: 0,
        end: text.length,
        addressed: false,
      });
      flagged.push({ keys: spot.keys, spans: undefined });
      budget = 0;
      continue;
    }
    budget -= text.length;
    texts.push(text);
    const spans = directiveSpans(text);
    for (const d of spans) {
      const span = text.slice(d.start, d.end);
      const addressed = d.cues.some((c) => ADDRESSING_CUES.has(c));
      findings.push({
        kind: 'result-directives',
        path,
        excerpt: span.slice(0, 120),
        start: d.start,
        end: d.end,
        addressed,
      });
      if (addressed) keep(span);
      request(span);
    }
    const hits = scanResultText(text, path).filter((f: PoisonFinding) => INSTRUCTION_KINDS.has(f.kind));
    // The scanner reads any language but gives no span: where the detector found none, the text is the span.
    const whole = hits.length > 0 && spans.length === 0;
    for (const f of hits) {
      findings.push({
        kind: f.kind,
        path,
        excerpt: f.excerpt.slice(0, 120),
        start: 0,
        end: text.length,
        addressed: true,
      });
    }
    if (whole) keep(text);
    if (whole) request(text);
    if (whole) flagged.push({ keys: spot.keys, spans: undefined });
    else if (spans.length > 0)
      flagged.push({ keys: spot.keys, spans: merged(spans.map((d) => [d.start, d.end])) });
  }
  const value = mode === 'quarantine' && flagged.length > 0 ? quarantined(body, flagged) : body;
  const requested = new Set<CapabilityClass>();
  for (const span of requests) for (const c of requestedClasses(span)) requested.add(c);
  return {
    findings,
    instructions,
    requested: CAPABILITY_CLASSES.filter((c) => requested.has(c)),
    texts,
    value,
  };
}
