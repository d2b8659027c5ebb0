import { ErrorCode, type GateSettings, GovernedError } from '@governed-mcp/core';
import type { Probe } from '@governed-mcp/probe';
import type { TextProbeOptions } from './mediation/mediator-types.js';

/**
 * Which of the probe's text questions a host asks the mediator to put (both off by default), and
 * optionally its own strictness and time limit.
 */
export interface TextQuestions {
  /** Ask about every tool result the deterministic judgement passed. Default false. */
  readonly results?: boolean;
  /** Ask about every tool definition the poisoning scan passed (once each). Default false. */
  readonly definitions?: boolean;
  /** Calibration strength in [0, 1]. Default: the default principal's tier profile's `probe.alpha`. */
  readonly alpha?: number;
  /** Danger threshold in (0, 1). Default: that profile's `probe.threshold`. */
  readonly threshold?: number;
  /** Most time one question may take, in ms. Default: the probe's own. */
  readonly timeoutMs?: number;
}

/**
 * The mediator's `textProbe` option for `questions`: undefined when neither kind is asked for. The
 * strictness not given comes from the probe profile of `tier` in `settings` (the first tier's when
 * `tier` is not in the table, as the probe layer does). Throws GovernedError('invalid_config') when a
 * question is asked for but there is no probe to ask.
 * @example
 * const textProbe = textProbeOptions({ results: true }, probe, settings, principal.tier);
 * createMediator({ gate, ...(textProbe === undefined ? {} : { textProbe }) });
 */
export function textProbeOptions(
  questions: TextQuestions | undefined,
  probe: Pick<Probe, 'classifyText'> | undefined,
  settings: GateSettings,
  tier: string,
): TextProbeOptions | undefined {
  if (questions?.results !== true && questions?.definitions !== true) return undefined;
  if (probe === undefined) {
    throw new GovernedError(
      ErrorCode.InvalidConfig,
      'the probe text questions (probe.results, probe.definitions) need the probe layer: give a model or a probe server, and a layer configuration that includes the probe',
    );
  }
  const profile = (settings.tiers.find((t) => t.name === tier) ?? settings.tiers[0])?.probe;
  const alpha = questions.alpha ?? profile?.alpha;
  const threshold = questions.threshold ?? profile?.threshold;
  if (alpha === undefined || threshold === undefined) {
    throw new GovernedError(
      ErrorCode.InvalidConfig,
      'the probe text questions need an alpha and a threshold',
    );
  }
  return {
    probe,
    results: questions.results === true,
    definitions: questions.definitions === true,
    alpha,
    threshold,
    ...(questions.timeoutMs === undefined ? {} : { timeoutMs: questions.timeoutMs }),
  };
}
