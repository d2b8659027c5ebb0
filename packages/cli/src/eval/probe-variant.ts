import type { ToolCall } from '@governed-mcp/core';
import { GovernedError } from '@governed-mcp/core';
import {
  createLlamaCppBackend,
  createProbe,
  DEFAULT_EXAMPLES,
  type Probe,
  type Verbalizer,
} from '@governed-mcp/probe';
import { EvalErrorCode } from './dataset.js';

/**
 * How the probe's prompt is built, for measuring each choice against the others:
 * - `facts` (default, what the proxy runs): the call, its tool's capability classes and, in a
 *   session, the session's flags and value origins;
 * - `plain`: the call's surface only (tool, description, arguments, principal);
 * - `few-shot`: `facts` after labelled examples in the shared prefix (`DEFAULT_EXAMPLES`), which is
 *   evaluated once, so a call still costs one forward pass over the call.
 */
export type ProbePrompt = 'facts' | 'plain' | 'few-shot';

/** Every prompt variant. */
export const PROBE_PROMPTS: readonly ProbePrompt[] = Object.freeze(['facts', 'plain', 'few-shot']);

/** Parses `--probe-verbalizer SAFE/DANGEROUS` (e.g. `Yes/No` for "acceptable? Yes"). */
export function parseVerbalizer(text: string): Verbalizer {
  const parts = text.split('/');
  const [safe, dangerous] = parts.map((p) => p.trim());
  if (parts.length !== 2 || !safe || !dangerous || safe === dangerous) {
    throw new GovernedError(
      EvalErrorCode.InvalidOption,
      `--probe-verbalizer takes two different words as SAFE/DANGEROUS (e.g. Safe/Dangerous), got '${text}'`,
    );
  }
  return { safe, dangerous };
}

/** A call as the `plain` prompt sees it: no capability classes, no session facts. */
function surface(call: ToolCall): ToolCall {
  const { capabilities: _c, session: _s, ...rest } = call;
  return rest;
}

/** Options of {@link openVariantProbe}. */
export interface VariantProbeOptions {
  readonly modelPath: string;
  readonly principles?: readonly string[];
  readonly prompt: ProbePrompt;
  readonly verbalizer?: Verbalizer;
}

/** Opens an embedded probe built as the variant says; `plain` hides the facts from every question. */
export async function openVariantProbe(options: VariantProbeOptions): Promise<Probe> {
  const probe = await createProbe({
    backend: createLlamaCppBackend({ modelPath: options.modelPath }),
    ...(options.principles === undefined ? {} : { principles: options.principles }),
    ...(options.verbalizer === undefined ? {} : { verbalizer: options.verbalizer }),
    ...(options.prompt === 'few-shot' ? { examples: DEFAULT_EXAMPLES } : {}),
  });
  if (options.prompt !== 'plain') return probe;
  return {
    classify: (call, o) => probe.classify(surface(call), o),
    classifyText: (text, o) => probe.classifyText(text, o),
    get contentFree() {
      return probe.contentFree;
    },
    describe: () => probe.describe(),
    close: () => probe.close(),
  };
}
