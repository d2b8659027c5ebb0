/**
 * The `tools/list` answer on its way to the client: each definition scanned (and, when
 * `textProbe.definitions` is on, put to the probe), fingerprinted and pinned; tools not approved or
 * not visible to the principal are left out and logged.
 */
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { statusOf } from './catalogue.js';
import type { Engine } from './engine.js';
import { MEDIATION_LAYER } from './mediation-gate.js';
import { type Answer, message } from './response-path.js';
import type { Pending, Session } from './session.js';
import { probeDefinitions } from './text-probe.js';
import { errorResponse, MediationCode } from './wire.js';

/** The result of a `tools/list` page with the tools this principal may not see, or may not call, removed. */
export async function filterToolsList(
  engine: Engine,
  session: Session,
  pending: Pending,
  answer: Answer,
  first: boolean,
): Promise<JSONRPCMessage> {
  if (answer.error !== undefined) return message(pending.id, answer, answer);
  const result = answer.result ?? {};
  const tools = result.tools;
  if (!Array.isArray(tools)) {
    return errorResponse(pending.id, {
      layer: MEDIATION_LAYER,
      code: MediationCode.UpstreamFailed,
      reason: 'the server sent a tools/list result without a tools array',
    });
  }
  const last = typeof result.nextCursor !== 'string';
  const scanned = await probeDefinitions(engine, session, tools);
  const page = session.catalogue.addPage(tools, engine.pins, engine.server, first, last, scanned);
  const kept = [];
  for (const entry of page.entries) {
    const status = statusOf(entry, engine.pins, engine.server);
    const visible =
      status === 'approved' && engine.visibility(entry.definition, pending.principal, engine.server);
    if (visible) kept.push(entry.definition);
    else {
      engine.log({
        level: status === 'approved' ? 'debug' : 'warn',
        event:
          status === 'approved' ? 'tool_hidden' : status === 'changed' ? 'tool_changed' : 'tool_poisoned',
        sessionId: session.key,
        data: {
          tool: entry.definition.name,
          fingerprint: entry.fingerprint,
          findings: entry.findings.map((f) => `${f.kind} at ${f.path}`),
        },
      });
    }
  }
  if (page.dropped.length > 0)
    engine.log({
      level: 'warn',
      event: 'tools_dropped',
      sessionId: session.key,
      data: { tools: page.dropped },
    });
  return { jsonrpc: '2.0', id: pending.id, result: { ...result, tools: kept } } as JSONRPCMessage;
}
