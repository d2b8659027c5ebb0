/**
 * The texts a server sends the model besides tools — `initialize` instructions and server info, the
 * names and descriptions of resources, resource templates and prompts (and prompt arguments) — get
 * the same poisoning scan as tool definitions. A poisoned item of a listing is withheld (as a poisoned
 * tool is hidden); poisoned instructions are removed and a poisoned server-info text is replaced. Each
 * withholding is logged with the findings, so an operator can review it.
 */

import type { Engine } from './engine.js';
import type { Params } from './frame.js';
import { type PoisonFinding, scanServerText } from './poisoning.js';
import type { Answer } from './response-path.js';
import type { Pending, Session } from './session.js';
import { MediationCode } from './wire.js';

/** What stands in for a withheld server-info text. */
export const WITHHELD_TEXT = '[withheld by the gate: the text looked poisoned]';

/** Which array of which listing holds model-visible items, and the fields of an item scanned. */
const LISTINGS: ReadonlyMap<string, string> = new Map([
  ['resources/list', 'resources'],
  ['resources/templates/list', 'resourceTemplates'],
  ['prompts/list', 'prompts'],
]);

/** Every string of a listed item (name, title, description, arguments and their texts), scanned. */
function scanItem(item: unknown, path: string): PoisonFinding[] {
  const out: PoisonFinding[] = [];
  const walk = (v: unknown, p: string, depth: number): void => {
    if (depth > 8) return;
    if (typeof v === 'string') out.push(...scanServerText(v, p));
    else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${p}[${i}]`, depth + 1);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v))
        if (k !== '_meta' && k !== 'uri') walk(x, `${p}.${k}`, depth + 1);
    }
  };
  walk(item, path, 0);
  return out;
}

function report(engine: Engine, session: Session, method: string, findings: readonly PoisonFinding[]): void {
  engine.log({
    level: 'warn',
    event: 'text_withheld',
    code: MediationCode.TextWithheld,
    sessionId: session.key,
    data: { method, findings: findings.slice(0, 16).map((f) => `${f.kind} at ${f.path}`) },
  });
}

function screenInitialize(engine: Engine, session: Session, result: Params): Params {
  let out: Record<string, unknown> = result;
  if (typeof result.instructions === 'string') {
    const found = scanServerText(result.instructions, 'instructions');
    if (found.length > 0) {
      const { instructions: _withheld, ...rest } = result;
      out = rest;
      report(engine, session, 'initialize', found);
    }
  }
  const info = result.serverInfo;
  if (typeof info === 'object' && info !== null && !Array.isArray(info)) {
    const cleaned: Record<string, unknown> = { ...info };
    const found: PoisonFinding[] = [];
    for (const [k, v] of Object.entries(info)) {
      if (typeof v !== 'string') continue;
      const f = scanServerText(v, `serverInfo.${k}`);
      if (f.length > 0) {
        cleaned[k] = WITHHELD_TEXT;
        found.push(...f);
      }
    }
    if (found.length > 0) {
      out = { ...out, serverInfo: cleaned };
      report(engine, session, 'initialize', found);
    }
  }
  return out;
}

/**
 * The answer to `pending` with poisoned texts withheld. Answers to other methods, error answers and
 * results of an unexpected shape are returned unchanged (the client's SDK validates shapes).
 */
export function screenListing(engine: Engine, session: Session, pending: Pending, answer: Answer): Answer {
  const result = answer.result;
  if (result === undefined || answer.error !== undefined) return answer;
  if (pending.method === 'initialize') {
    const screened = screenInitialize(engine, session, result);
    return screened === result ? answer : { ...answer, result: screened };
  }
  const key = LISTINGS.get(pending.method);
  const items = key === undefined ? undefined : result[key];
  if (key === undefined || !Array.isArray(items)) return answer;
  const kept: unknown[] = [];
  const found: PoisonFinding[] = [];
  items.forEach((item, i) => {
    const f = scanItem(item, `${key}[${i}]`);
    if (f.length === 0) kept.push(item);
    else found.push(...f);
  });
  if (found.length === 0) return answer;
  report(engine, session, pending.method, found);
  return { ...answer, result: { ...result, [key]: kept } };
}
