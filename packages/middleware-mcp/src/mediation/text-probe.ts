/**
 * The probe's text questions in the mediator (opt-in: `textProbe`). A tool result the deterministic
 * judgement passed is put to the probe as one text (its texts joined; the probe keeps the head and tail
 * of a long one); a `dangerous` verdict is a finding of kind `probe` over the whole result, since the
 * probe gives no span. A tool definition the poisoning scan passed is put to the probe once (the probe
 * caches definitions); `dangerous` is a `probe-definition` finding, and the listing treats the tool as
 * poisoned. Either question failing (timeout, backend error) is a `probe-failed` finding: fail-closed,
 * logged at error level, never passed silently.
 */
import { type CapabilityClass, requestedClasses } from '@governed-mcp/core';
import { definitionText, type TextClassifyOptions } from '@governed-mcp/probe';
import { asDefinition, fingerprintOf } from './catalogue.js';
import type { Engine } from './engine.js';
import type { TextProbeOptions } from './mediator-types.js';
import { type PoisonFinding, scanToolDefinition } from './poisoning.js';
import { MAX_INSTRUCTION_CHARS, MAX_INSTRUCTION_SPANS, type ResultFinding } from './result-judgement.js';
import type { Session } from './session.js';

/** The codes the text questions log with. */
export const TextProbeCode = {
  /** The probe judged a tool result to carry instructions addressed to the agent. */
  Result: 'probe_result',
  /** The probe could not judge a tool result; the result was flagged (fail-closed). */
  ResultFailed: 'probe_result_failed',
  /** The probe judged a tool definition to carry instructions; the tool is treated as poisoned. */
  Definition: 'probe_definition',
  /** The probe could not judge a tool definition; the tool is treated as poisoned (fail-closed). */
  DefinitionFailed: 'probe_definition_failed',
} as const;

/** What the probe added to a result's judgement: nothing, or findings over the whole result. */
export interface ProbedResult {
  readonly findings: readonly ResultFinding[];
  /** The classes of the acts the result's texts ask for (`requestedClasses`), when flagged `probe`. */
  readonly requested: readonly CapabilityClass[];
  /** The calibrated probability of the `dangerous` verdict, when the probe answered. */
  readonly pCalibrated?: number;
}

const NOTHING: ProbedResult = Object.freeze({ findings: [], requested: [] });

/** Characters of the result's text kept as a finding's excerpt. */
const EXCERPT_CHARS = 120;

function strictness(o: TextProbeOptions): TextClassifyOptions {
  return {
    alpha: o.alpha,
    threshold: o.threshold,
    ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The classes of the acts the texts ask for: each text counts as the span, as the scanner's whole-text findings do. */
function requestedOf(texts: readonly string[]): CapabilityClass[] {
  const out = new Set<CapabilityClass>();
  for (const t of texts.slice(0, MAX_INSTRUCTION_SPANS))
    for (const c of requestedClasses(t.slice(0, MAX_INSTRUCTION_CHARS))) out.add(c);
  return [...out];
}

/**
 * Asks the probe about a tool result's texts when results are enabled and the result has text. Never
 * throws: a probe failure is logged (`result_probe_failed`) and returned as a `probe-failed` finding.
 */
export async function probeResult(
  engine: Engine,
  session: Session,
  tool: string,
  texts: readonly string[],
): Promise<ProbedResult> {
  const o = engine.textProbe;
  if (o?.results !== true) return NOTHING;
  const text = texts.join('\n');
  if (text.trim() === '') return NOTHING;
  const whole = { path: 'result', start: 0, end: text.length, addressed: false } as const;
  try {
    const r = await o.probe.classifyText(
      { kind: 'result', text, ...(tool === '' ? {} : { tool }) },
      strictness(o),
    );
    if (r.verdict !== 'dangerous') return NOTHING;
    return {
      findings: [{ kind: 'probe', excerpt: text.slice(0, EXCERPT_CHARS), ...whole }],
      requested: requestedOf(texts),
      pCalibrated: r.pCalibrated,
    };
  } catch (err) {
    engine.log({
      level: 'error',
      event: 'result_probe_failed',
      code: TextProbeCode.ResultFailed,
      detail: messageOf(err),
      sessionId: session.key,
      data: { tool },
    });
    return {
      findings: [{ kind: 'probe-failed', excerpt: 'the probe could not judge this result', ...whole }],
      requested: [],
    };
  }
}

/**
 * The findings of each well-formed definition of a `tools/list` page, by item, for
 * `ToolCatalogue.addPage`: the poisoning scan's, and where it found nothing, the probe's. Undefined
 * when definitions are not asked about (the catalogue scans as before). A definition already approved
 * (pinned with this fingerprint) is not asked: approval stands over findings, as over the scan's.
 * Definitions are asked one at a time, so a question's time limit is not spent waiting for another's.
 */
export async function probeDefinitions(
  engine: Engine,
  session: Session,
  tools: readonly unknown[],
): Promise<ReadonlyMap<unknown, readonly PoisonFinding[]> | undefined> {
  const o = engine.textProbe;
  if (o?.definitions !== true) return undefined;
  const out = new Map<unknown, readonly PoisonFinding[]>();
  for (const raw of tools) {
    const definition = asDefinition(raw);
    if (definition === undefined) continue;
    const record = definition as unknown as Record<string, unknown>;
    const found = scanToolDefinition(record);
    out.set(raw, found);
    if (found.length > 0) continue;
    if (engine.pins.get(engine.server, definition.name) === fingerprintOf(record)) continue;
    const data = { tool: definition.name };
    try {
      const r = await o.probe.classifyText(
        { kind: 'definition', text: definitionText(definition), tool: definition.name },
        strictness(o),
      );
      if (r.verdict !== 'dangerous') continue;
      const excerpt = `the probe judged it dangerous (p ${r.pCalibrated.toFixed(3)})`;
      out.set(raw, [{ kind: 'probe-definition', path: 'definition', excerpt }]);
      engine.log({
        level: 'warn',
        event: 'definition_flagged',
        code: TextProbeCode.Definition,
        sessionId: session.key,
        data: { ...data, pCalibrated: r.pCalibrated, cached: r.cached },
      });
    } catch (err) {
      out.set(raw, [{ kind: 'probe-failed', path: 'definition', excerpt: 'the probe could not judge it' }]);
      engine.log({
        level: 'error',
        event: 'definition_probe_failed',
        code: TextProbeCode.DefinitionFailed,
        detail: messageOf(err),
        sessionId: session.key,
        data,
      });
    }
  }
  return out;
}
