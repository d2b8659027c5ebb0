/**
 * Response-path judgement of tool results: every text a tool result carries to the agent (each text
 * content item, the text of embedded resources, every string of `structuredContent`, the message of a
 * JSON-RPC error) is scanned for instructions addressed to the agent with the same signal-based scanner
 * as tool definitions and server texts (`scanServerText`). Only the kinds that say a text addresses the
 * agent count (`agent-directives`, `hidden-instructions`); secret paths or invisible characters in data
 * are data. At most `MAX_SCANNED_CHARS` are scanned per result; text past that budget is reported as
 * unscanned, and the strict modes treat it as flagged (fail-closed).
 */
import { MAX_SCANNED_CHARS, type PoisonFinding, type PoisonKind, scanServerText } from './poisoning.js';

/** What to do with a result that carries instructions addressed to the agent. */
export type ResultInstructionsMode = 'mark' | 'quarantine' | 'withhold';

/** The text that replaces a flagged (or unscanned) text in `quarantine` mode. */
export const QUARANTINE_NOTICE =
  '[withheld by governed-mcp: this result contained instructions addressed to the agent]';

/** The finding kinds that flag a result. */
const INSTRUCTION_KINDS: ReadonlySet<PoisonKind> = new Set(['agent-directives', 'hidden-instructions']);

/** One flagged text of a result. */
export interface ResultFinding {
  readonly kind: PoisonKind | 'unscanned';
  /** Where in the answer: `result.content[0].text`, `result.structuredContent.body`, `error.message`. */
  readonly path: string;
  /** A short excerpt of the normalized text (or the signals found), for a reviewer. */
  readonly excerpt: string;
}

/** What judging one answer gave: the findings and the answer to deliver (quarantined where asked). */
export interface ResultJudgement<T> {
  readonly findings: readonly ResultFinding[];
  /** The answer as judged: the input itself unless `quarantine` replaced a text. */
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

/** A copy of `value` with the string at each of `paths` replaced by the notice. */
function quarantined<T>(value: T, paths: readonly (readonly Key[])[]): T {
  const copy = structuredClone(value) as unknown;
  for (const keys of paths) {
    let at = copy as Record<Key, unknown>;
    for (const k of keys.slice(0, -1)) at = at[k] as Record<Key, unknown>;
    at[keys[keys.length - 1]!] = QUARANTINE_NOTICE;
  }
  return copy as T;
}

/**
 * Judges one answer on its way to the agent. In `quarantine` mode each flagged (or unscanned) text is
 * replaced by {@link QUARANTINE_NOTICE} in a copy; other modes return the answer itself.
 * @example
 * const j = judgeResult({ result: { content: [{ type: 'text', text }] } }, 'mark');
 * if (j.findings.length > 0) markSession(j.findings);
 */
export function judgeResult<T>(body: T, mode: ResultInstructionsMode): ResultJudgement<T> {
  const findings: ResultFinding[] = [];
  const flaggedPaths: (readonly Key[])[] = [];
  let budget = MAX_SCANNED_CHARS;
  for (const spot of spotsOf(body)) {
    const path = pathOf(spot.keys);
    if (spot.text.length > budget) {
      findings.push({
        kind: 'unscanned',
        path,
        excerpt: `past the ${MAX_SCANNED_CHARS}-character scan budget`,
      });
      flaggedPaths.push(spot.keys);
      budget = 0;
      continue;
    }
    budget -= spot.text.length;
    const hits = scanServerText(spot.text, path).filter((f: PoisonFinding) => INSTRUCTION_KINDS.has(f.kind));
    if (hits.length === 0) continue;
    for (const f of hits) findings.push({ kind: f.kind, path, excerpt: f.excerpt.slice(0, 120) });
    flaggedPaths.push(spot.keys);
  }
  const value = mode === 'quarantine' && flaggedPaths.length > 0 ? quarantined(body, flaggedPaths) : body;
  return { findings, value };
}
