import {
  createPipeline,
  createPrefilterLayer,
  createTierLayer,
  DEFAULT_SETTINGS,
  type Decision,
  type Finding,
  type GateSettings,
  parseSettings,
} from '../../../src/index.js';
import { makeCall } from '../call-builder.js';

/** A fetch tool as MCP servers annotate one (needs the standard tier). */
export const fetchTool = { name: 'fetch', annotations: { readOnlyHint: true, openWorldHint: true } };
/** A shell tool. */
export const shellTool = { name: 'run_command' };
/** A chat tool that sends a message (it fetches nothing). */
export const chatTool = { name: 'send_message', annotations: { openWorldHint: true } };

/** What a test resolver answers for a name: addresses, an error code, or never (a hang). */
export type Answer = readonly string[] | { readonly error: string } | 'hang';

/** A resolver over a fixed table that records every name it was asked for. */
export function tableResolver(table: Readonly<Record<string, Answer>>) {
  const asked: string[] = [];
  const resolve = (host: string): Promise<readonly string[]> => {
    asked.push(host);
    const answer = table[host];
    if (answer === undefined) {
      return Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }));
    }
    if (answer === 'hang') return new Promise(() => {});
    if ('error' in answer) {
      return Promise.reject(
        Object.assign(new Error(`getaddrinfo ${answer.error} ${host}`), { code: answer.error }),
      );
    }
    return Promise.resolve(answer as readonly string[]);
  };
  return { resolve, asked };
}

/** Settings with a loopback allowance for trusted principals on ports 3000 and 5173. */
export function allowanceSettings(extra: Record<string, unknown> = {}): GateSettings {
  return parseSettings({
    ...DEFAULT_SETTINGS,
    network: {
      allow: [{ hosts: ['localhost', '127.0.0.1', '::1'], ports: [3000, 5173], minTier: 'trusted' }],
      onResolveFailure: 'deny',
      resolveTimeoutMs: 200,
      ...extra,
    },
  });
}

/** Runs one call through the tier and pre-filter layers and returns the decision. */
export async function decide(
  args: Record<string, unknown>,
  opts: {
    tool?: { name: string; annotations?: Record<string, boolean> };
    tier?: string;
    settings?: GateSettings;
    resolver?: (host: string) => Promise<readonly string[]>;
  } = {},
): Promise<Decision> {
  const settings = opts.settings ?? allowanceSettings();
  const resolver = opts.resolver ?? tableResolver({}).resolve;
  const pipeline = createPipeline([
    createTierLayer(settings),
    createPrefilterLayer(settings, { resolver } as Parameters<typeof createPrefilterLayer>[1]),
  ]);
  const call = makeCall(args, { tool: opts.tool ?? fetchTool, principal: { tier: opts.tier ?? 'standard' } });
  return (await pipeline.evaluate(call)).decision;
}

/** The `detector/code` pairs of a decision's findings. */
export function findingsOf(d: Decision): string[] {
  const data = d.reasons.find((r) => r.layer === 'prefilter')?.data as { findings?: Finding[] } | undefined;
  return (data?.findings ?? []).map((f) => `${f.detector}/${f.code}`);
}
