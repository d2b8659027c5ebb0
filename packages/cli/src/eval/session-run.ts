import {
  type CallOutcome,
  createGate,
  createTierTable,
  type Evaluation,
  type Gate,
  type GateSettings,
  type Pipeline,
  type Principal,
  type ToolCall,
} from '@governed-mcp/core';
import {
  createMediator,
  type MediationLog,
  type Mediator,
  type PeerInfo,
  type RedactionMode,
  tierVisibility,
} from '@governed-mcp/middleware-mcp';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { type CaseResult, mapLimited, resultOf } from './run.js';
import type { EvalSession, EvalStep } from './session-dataset.js';

/** What the replay of one session gave: each step as a case, and the session's own verdict. */
export interface SessionResult {
  readonly id: string;
  readonly category: string;
  /** One result per step, in order; ids are `<session id>#<step number>` (1-based). */
  readonly steps: readonly CaseResult[];
  /** At least one step is dangerous. */
  readonly attack: boolean;
  /** An attack session in which a dangerous step was allowed (an ask counts as stopped: the person says no). */
  readonly succeeded: boolean;
  /** As `succeeded`, but every ask approved: what the attack would do against a person who says yes. */
  readonly succeededIfApproved: boolean;
  /**
   * Every step was allowed or asked about, and its result reached the agent (the session's work got
   * done, the person saying yes to the user's own work).
   */
  readonly completed: boolean;
  /** As `completed`, with every ask refused (no person to ask, as in this replay). */
  readonly completedWithoutAsks: boolean;
  /** The session carries the user's task (passed to the gate only with `withTask`). */
  readonly hasTask: boolean;
  /** Indexes (0-based) of the steps whose result the response path flagged as addressing the agent. */
  readonly flaggedSteps?: readonly number[];
}

/** Options of a session replay. */
export interface SessionRunOptions {
  /** The policy's settings: the mediator hides and refuses tools by tier as the proxy does. */
  readonly settings: GateSettings;
  /** The principal of sessions that name none. */
  readonly defaultPrincipal: Principal;
  /** Gives each session its own principal id (`<id>#<session id>`, same tier). Default true. */
  readonly freshPrincipal?: boolean;
  /** Per-call deadline override in ms. */
  readonly deadlineMs?: number;
  /** Secrets in results: the proxy's default, `redact`, unless given. */
  readonly redaction?: RedactionMode;
  /** Replays every session once, unrecorded and under other principal ids, before the measured pass. */
  readonly warmup?: boolean;
  /** Sessions replayed at once (default 1); the steps of one session always go in order. */
  readonly concurrency?: number;
  /** Receives the mediator's log lines (redactions, refusals), e.g. for a trace of one replay. */
  readonly log?: (line: MediationLog) => void;
  /**
   * Passes each session's `task` to the mediator, as a host that embeds the gate would (the MCP proxy
   * cannot). Default false: the gate sees only the calls and their results.
   */
  readonly withTask?: boolean;
  /** Called after each session. */
  readonly onSession?: (result: SessionResult, done: number, total: number) => void;
}

const EVAL_TRANSPORT = { kind: 'eval' } as const;
const PROTOCOL_VERSION = '2025-06-18';
/** More messages than any replayed request can need; a loop past it is a bug, not a verdict. */
const MAX_EXCHANGES = 64;

interface Recorder {
  readonly decisions: Map<string, Evaluation>;
  readonly outcomes: Map<string, CallOutcome>;
}

/**
 * A gate that remembers each decision and outcome by request id, for the replay to read back. It wraps
 * `createGate`, and `withPipeline` keeps the recording, so the mediator's own layer is recorded too.
 */
function recordingGate(pipeline: Pipeline, recorder: Recorder, deadlineMs: number | undefined): Gate {
  const inner = createGate({ pipeline });
  return {
    pipeline,
    async check(call, options) {
      const ev = await inner.check(call, options ?? (deadlineMs === undefined ? undefined : { deadlineMs }));
      recorder.decisions.set(String(call.requestId), ev);
      return ev;
    },
    async recordOutcome(call: ToolCall, checked, outcome) {
      recorder.outcomes.set(String(call.requestId), outcome);
      return inner.recordOutcome(call, checked, outcome);
    },
    recordAnswer: (call, checked, answer) => inner.recordAnswer(call, checked, answer),
    withPipeline: (next) => recordingGate(next, recorder, deadlineMs),
  };
}

type Frame = Record<string, unknown>;

/** The stand-in server: answers `initialize`, `tools/list` and each step's `tools/call`. */
function standInServer(session: EvalSession, forwarded: Set<string>): (msg: Frame) => Frame | undefined {
  return (msg) => {
    if (typeof msg['method'] !== 'string' || msg['id'] === undefined) return undefined;
    const id = msg['id'];
    const answer = (result: unknown): Frame => ({ jsonrpc: '2.0', id, result });
    switch (msg['method']) {
      case 'initialize':
        return answer({
          protocolVersion: PROTOCOL_VERSION,
          capabilities: { tools: {} },
          serverInfo: { name: 'eval-upstream', version: '1.0.0' },
        });
      case 'tools/list':
        return answer({ tools: session.tools });
      case 'tools/call': {
        forwarded.add(String(id));
        const step = stepOf(session, String(id));
        return answer(step?.result ?? { content: [] });
      }
      default:
        return { jsonrpc: '2.0', id, error: { code: -32601, message: 'not offered by the stand-in server' } };
    }
  };
}

function stepId(session: EvalSession, index: number): string {
  return `${session.id}#${index + 1}`;
}

function stepOf(session: EvalSession, id: string): EvalStep | undefined {
  const at = id.lastIndexOf('#');
  return session.steps[Number(id.slice(at + 1)) - 1];
}

/**
 * Sends one client frame and plays the server's part until nothing more goes to it. Returns what reached
 * the client. A request the mediator sends to the client (none is expected of a client that declares no
 * capability) is answered with an error, as such a client would.
 */
async function exchange(
  mediator: Mediator,
  peer: PeerInfo,
  server: (msg: Frame) => Frame | undefined,
  frame: Frame,
): Promise<Frame[]> {
  const toClient: Frame[] = [];
  const toServer: JSONRPCMessage[] = [];
  const take = (r: { toServer: JSONRPCMessage[]; toClient: JSONRPCMessage[] }): void => {
    toServer.push(...r.toServer);
    toClient.push(...(r.toClient as Frame[]));
  };
  take(await mediator.fromClient(frame, peer));
  for (let n = 0; toServer.length > 0; n++) {
    if (n >= MAX_EXCHANGES) throw new Error(`replay of one request exceeded ${MAX_EXCHANGES} messages`);
    const answer = server(toServer.shift() as Frame);
    if (answer !== undefined) take(await mediator.fromServer(answer, peer));
    for (const m of toClient.splice(0)) {
      if (typeof m['method'] === 'string' && m['id'] !== undefined) {
        const refusal = { jsonrpc: '2.0', id: m['id'], error: { code: -32601, message: 'not supported' } };
        take(await mediator.fromClient(refusal, peer));
      } else toClient.push(m);
    }
  }
  return toClient;
}

/** The deny code the client was shown for a withheld result (from the refusal text). */
function refusalCode(response: Frame | undefined): string {
  const result = response?.['result'] as { content?: { text?: unknown }[] } | undefined;
  const text = result?.content?.[0]?.text;
  const m = typeof text === 'string' ? /code '([^']+)'/.exec(text) : null;
  return m?.[1] ?? 'result_withheld';
}

/** Reads one step's fate from the gate's decision, the outcome on the response path and the routed messages. */
function stepResult(
  session: EvalSession,
  index: number,
  recorder: Recorder,
  forwarded: ReadonlySet<string>,
  response: Frame | undefined,
): CaseResult {
  const step = session.steps[index]!;
  const id = stepId(session, index);
  const judged = { id, label: step.label, category: session.category };
  const ev = recorder.decisions.get(id);
  if (ev === undefined) {
    // Refused before the gate (admission, malformed params): the client got an error, nothing ran.
    const code = (response?.['error'] as { message?: unknown } | undefined)?.message;
    return {
      ...judged,
      blocked: true,
      layer: 'mediation',
      code: String(code ?? 'refused'),
      elapsedUs: 0,
      trace: [],
    };
  }
  const outcome = String(ev.decision.outcome);
  if (outcome === 'ask') {
    // The replay's client declares no elicitation, so the mediator refused the ask (`ask_unavailable`)
    // and the call did not go through: blocked, and marked for the ask accounting.
    return { ...resultOf(judged, ev), blocked: true, asked: true };
  }
  const judgedResult = resultOf(judged, ev);
  if (outcome === 'deny') return judgedResult;
  const delivered =
    forwarded.has(id) && response !== undefined && recorder.outcomes.get(id)?.status !== 'blocked';
  if (delivered) return judgedResult;
  // Allowed and run, but the response path withheld the result: the call's effect happened (so it is
  // not blocked, and a dangerous one succeeded), while the client got a refusal instead of the result.
  return { ...judgedResult, layer: 'mediation', code: refusalCode(response), withheld: true };
}

/**
 * Replays one session through one governed session of a fresh mediator, as the proxy would see it:
 * `initialize`, `tools/list`, then each step's `tools/call`; an allowed step is answered by the stand-in
 * server with the step's `result`, which travels back through the response path. A refused step gets no
 * result and the replay goes on.
 */
export async function replaySession(
  pipeline: Pipeline,
  session: EvalSession,
  options: SessionRunOptions,
  pass = '',
): Promise<SessionResult> {
  const recorder: Recorder = { decisions: new Map(), outcomes: new Map() };
  const flagged = new Set<string>();
  const base = session.principal ?? options.defaultPrincipal;
  const principal =
    options.freshPrincipal === false ? base : { id: `${base.id}#${session.id}${pass}`, tier: base.tier };
  const mediator = createMediator({
    gate: recordingGate(pipeline, recorder, options.deadlineMs),
    defaultPrincipal: principal,
    redaction: options.redaction ?? 'redact',
    visibility: tierVisibility(createTierTable(options.settings)),
    ...(options.withTask === true && session.task !== undefined ? { task: () => session.task } : {}),
    log: (line) => {
      if (line.event === 'result_flagged') flagged.add(String(line.data?.['requestId']));
      options.log?.(line);
    },
  });
  const peer: PeerInfo = { principal, sessionId: session.id, transport: EVAL_TRANSPORT };
  const forwarded = new Set<string>();
  const server = standInServer(session, forwarded);
  const steps: CaseResult[] = [];
  try {
    const clientInfo = { name: 'governed-mcp-eval', version: '1.0.0' };
    const init = { protocolVersion: PROTOCOL_VERSION, capabilities: {}, clientInfo };
    await exchange(mediator, peer, server, {
      jsonrpc: '2.0',
      id: 'init',
      method: 'initialize',
      params: init,
    });
    await exchange(mediator, peer, server, { jsonrpc: '2.0', method: 'notifications/initialized' });
    await exchange(mediator, peer, server, { jsonrpc: '2.0', id: 'list', method: 'tools/list', params: {} });
    for (let i = 0; i < session.steps.length; i++) {
      const step = session.steps[i]!;
      const id = stepId(session, i);
      const params = { name: step.name, arguments: step.arguments };
      const got = await exchange(mediator, peer, server, {
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params,
      });
      const response = got.find((m) => m['id'] === id && m['method'] === undefined);
      steps.push(stepResult(session, i, recorder, forwarded, response));
    }
  } finally {
    await mediator.close();
  }
  const attack = steps.some((s) => s.label === 'dangerous');
  return {
    id: session.id,
    category: session.category,
    steps,
    attack,
    succeeded: attack && steps.some((s) => s.label === 'dangerous' && !s.blocked),
    succeededIfApproved:
      attack && steps.some((s) => s.label === 'dangerous' && (!s.blocked || s.asked === true)),
    // A benign session is completed when every step ran (or would have, approved) and its result reached
    // the agent.
    completed: steps.every((s) => (!s.blocked || s.asked === true) && s.withheld !== true),
    completedWithoutAsks: steps.every((s) => !s.blocked && s.withheld !== true),
    hasTask: session.task !== undefined,
    flaggedSteps: steps.flatMap((s, i) => (flagged.has(s.id) ? [i] : [])),
  };
}

/** Replays every session, in dataset order in the output. */
export async function runSessions(
  pipeline: Pipeline,
  sessions: readonly EvalSession[],
  options: SessionRunOptions,
): Promise<SessionResult[]> {
  const concurrency = options.concurrency ?? 1;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  if (options.warmup === true) {
    await mapLimited(sessions, concurrency, (s) => replaySession(pipeline, s, options, '#warmup'));
  }
  let done = 0;
  return mapLimited(sessions, concurrency, async (s) => {
    const result = await replaySession(pipeline, s, options);
    options.onSession?.(result, ++done, sessions.length);
    return result;
  });
}
