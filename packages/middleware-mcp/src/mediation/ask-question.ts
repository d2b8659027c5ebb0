/**
 * What the person is asked, and what the client said of itself: the text of an `elicitation/create`
 * (bounded, secrets redacted, argument names only) and the facts read from `initialize`.
 */
import type { AskDecision, RecordedDecision } from '@governed-mcp/core';
import type { Engine } from './engine.js';
import type { Params } from './frame.js';
import { redactText } from './redaction.js';
import type { ClientFacts, Pending } from './session.js';

/** Longest question text sent to the client, in characters. */
export const MAX_ASK_MESSAGE = 1000;
/** Longest part (question, reason) quoted in a message or refusal. */
export const MAX_PART = 240;
const MAX_NAME = 128;
const MAX_CLIENT_FIELD = 128;

/** The schema of the answer asked for: one required boolean, `approve`. */
export const APPROVE_SCHEMA = Object.freeze({
  type: 'object',
  properties: {
    approve: {
      type: 'boolean',
      title: 'Approve this call',
      description: 'Yes lets the call go to the server; no refuses it.',
    },
  },
  required: ['approve'],
});

/** `text` cut to `max` characters, an ellipsis marking the cut. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function field(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? clip(v, MAX_CLIENT_FIELD) : undefined;
}

/** What an `initialize` request says of the client: whether it can be asked, and its name and version. */
export function clientFactsOf(params: Params | undefined): ClientFacts {
  const caps = params?.capabilities as Record<string, unknown> | undefined;
  const info = params?.clientInfo as Record<string, unknown> | undefined;
  const elicitation = typeof caps?.elicitation === 'object' && caps.elicitation !== null;
  const name = field(info?.name);
  const version = field(info?.version);
  return {
    elicitation,
    ...(name === undefined ? {} : { name }),
    ...(version === undefined ? {} : { version }),
  };
}

/**
 * The question the person reads: the tool, the server, the deciding layer's reason and its question,
 * and the names (never the values) of the arguments, bounded and with secrets redacted.
 */
export async function questionText(
  engine: Engine,
  pending: Pending,
  checked: RecordedDecision,
): Promise<string> {
  const d = checked.decision as AskDecision;
  const asker = checked.trace.find((t) => t.verdict === 'ask')?.layer;
  const reason = d.reasons.find((r) => r.layer === asker) ?? d.reasons[0];
  const tool = clip(pending.call?.tool.name ?? pending.method, MAX_NAME);
  const where = engine.server === '' ? '' : ` on server '${clip(engine.server, MAX_NAME)}'`;
  const keys = Object.keys(pending.call?.arguments ?? {}).slice(0, 16);
  const why =
    reason === undefined ? '' : ` Reason (${reason.layer}): ${clip(reason.detail ?? reason.code, MAX_PART)}.`;
  const args = keys.length === 0 ? 'none' : keys.map((k) => clip(k, 32)).join(', ');
  const text =
    `The agent wants to call '${tool}'${where}. ${clip(d.question, MAX_PART)}${why}` +
    ` Arguments: ${args} (values not shown). Approve this call?`;
  const redacted = await redactText(text, { patterns: engine.patterns });
  return clip(redacted.value, MAX_ASK_MESSAGE);
}
