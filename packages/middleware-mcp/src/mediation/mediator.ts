/**
 * Mediation at the message layer: what the gate does with every JSON-RPC frame, in either direction.
 *
 * - Classification is exact (`methods.ts`): a method not in the table is refused (requests: JSON-RPC
 *   -32601; notifications: dropped and logged). Case variants, padding, lookalike characters and
 *   `__proto__` are misses, never matches. A notification that carries a request method (`tools/call`
 *   without an id) is dropped: a call nobody can answer is never run.
 * - Frames are copied once into plain JSON (`frame.ts`) with size and depth limits; the copy is what is
 *   decided and forwarded. Anything that is not JSON-RPC 2.0 of one unambiguous shape is refused.
 * - Batches (removed from MCP in 2025-06-18) are refused whole by default; `batches: 'mediate'` decides
 *   each element as if it came alone and answers unbatched.
 * - Ids: a request whose id is in flight in its session and direction is refused (`"1"` and `1` count as
 *   one id); responses to ids not in flight are dropped.
 * - A `tools/call` for a tool the session has not seen listed makes the mediator send its own
 *   `tools/list` (an unguessable id; pages followed), the call waits, and is decided against the
 *   listing. A tool missing from a complete listing is refused (`unlisted_tool`) through the gate, so
 *   the refusal is audited like any decision.
 * - `tools/list` results: every definition is scanned for poisoning and fingerprinted; clean first
 *   sightings are pinned; changed (`pin_mismatch`) or flagged (`tool_poisoned`) tools are hidden and
 *   their calls refused until `approveTool`. `notifications/tools/list_changed` empties the listing so
 *   the next call relists. Tools the principal may not use (`visibility`) are hidden and refused.
 * - What reaches the server is what was decided: every client request is rebuilt from the params MCP
 *   defines for its method (`forwarded-params.ts`); `_meta` keeps only `progressToken`; other keys are
 *   dropped, logged (`params_dropped`) and, for mediated calls, noted in the decision's audit record.
 * - Every text the model reads is scanned for poisoning (signals, not phrases: `poisoning-signals.ts`):
 *   tools, `initialize` instructions and server info, resources, templates and prompts; poisoned
 *   listing items are withheld, poisoned instructions removed (`text_withheld`).
 * - Results of tools, resources, prompts and tasks, error messages and server notifications pass the
 *   secret redactor; with `redaction: 'block'` a result holding secrets is withheld.
 * - Tool results are judged for instructions addressed to the agent (`result-judgement.ts`, the same
 *   signals as tool descriptions): the session remembers each flag (bounded) and the call's audited
 *   outcome names it; `resultInstructions` marks (default), quarantines the flagged text or withholds.
 * - Opt-in (`textProbe`, `text-probe.ts`): the probe also reads results the judgement passed and
 *   definitions the scan passed; `dangerous` or a failed probe flags the result or hides the tool.
 * - A call the gate answers *ask* is held while the person is asked through the client's elicitation
 *   (`ask.ts`); without that capability it is refused (`ask_unavailable`). Answers are audited.
 * - A gate is taken as given: its audit chain and its `arguments`/`redact` settings decide what the
 *   records keep; the mediator only adds its own `mediation` layer outermost (`mediation-gate.ts`).
 *
 * Where things are: `mediator-types.ts` (the contract, a leaf), `engine.ts` (resolved settings and the
 * session table), `frame-router.ts` (one frame in, fail-closed), `client-path.ts` / `server-path.ts`
 * (one handler per kind of message), `admission.ts` (requests into the in-flight tables),
 * `tool-calls.ts` and `discovery.ts` (deciding calls), `response-path.ts` (answers on their way back), `tools-listing.ts` (`tools/list` answers),
 * `session-failure.ts` (failing requests in flight closed).
 */
import { statusOf } from './catalogue.js';
import { createEngine, type Engine } from './engine.js';
import { routeFrame } from './frame-router.js';
import type { Mediator, MediatorOptions, ToolReview } from './mediator-types.js';
import { routed } from './routed.js';
import { closeEngine, failSession } from './session-failure.js';
import { MediationCode } from './wire.js';

/**
 * Creates a mediator.
 * @example
 * const mediator = createMediator({ gate: createGate({ pipeline, audit }) });
 * await server.connect(governTransport(transport, mediator));
 */
export function createMediator(options: MediatorOptions): Mediator {
  const engine = createEngine(options);
  return {
    fromClient: (frame, peer) => routeFrame(engine, frame, peer, 'client'),
    fromServer: (frame, peer) => routeFrame(engine, frame, peer, 'server'),
    async failPending(peer, detail) {
      const session = engine.sessions.get(peer.sessionId ?? '');
      return session === undefined
        ? routed()
        : failSession(engine, session, MediationCode.UpstreamFailed, detail);
    },
    tools: () => reviewTools(engine),
    approveTool(name, fingerprint) {
      if (typeof name !== 'string' || !/^[0-9a-f]{64}$/.test(fingerprint)) {
        throw new TypeError('approveTool needs a tool name and a 64-hex-digit fingerprint');
      }
      engine.pins.set(engine.server, name, fingerprint);
      engine.log({ level: 'info', event: 'tool_approved', data: { tool: name, fingerprint } });
    },
    close: () => closeEngine(engine),
  };
}

/** Every tool listed in any session, with its status against the pins. */
function reviewTools(engine: Engine): ToolReview[] {
  const out: ToolReview[] = [];
  for (const session of engine.sessions.values()) {
    for (const entry of session.catalogue.entries()) {
      out.push({
        sessionId: session.key,
        name: entry.definition.name,
        status: statusOf(entry, engine.pins, engine.server),
        fingerprint: entry.fingerprint,
        pinned: engine.pins.get(engine.server, entry.definition.name),
        findings: entry.findings,
        definition: entry.definition,
      });
    }
  }
  return out;
}
