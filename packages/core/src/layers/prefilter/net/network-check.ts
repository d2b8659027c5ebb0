import type { ToolCall } from '../../../call.js';
import type { GateSettings, NetworkSettings } from '../../../settings.js';
import type { Detector, Finding, ScanText } from '../detector.js';
import {
  createSsrfDetector,
  destinationsOf,
  FETCH_TOOL,
  fetchReading,
  isDestinationKey,
  type TargetAllowance,
} from '../network.js';
import { normalize } from '../normalize.js';
import { callFacts } from '../scan.js';
import { classifyAddress, classifyHost } from './host-class.js';
import { createResolution, type HostResolver, systemResolver } from './resolve.js';
import { selfNames } from './self-names.js';
import { parseBareTarget } from './url-target.js';

/** Network settings with every default filled in. */
export const DEFAULT_NETWORK: NetworkSettings = Object.freeze({
  allow: Object.freeze([]),
  onResolveFailure: 'deny',
  resolveTimeoutMs: 2000,
});

/** The asynchronous half of the SSRF check, built once per pre-filter layer. */
export interface NetworkCheck {
  /** The ssrf detector for a principal of `rank`, exempting what its allowances name (cached per rank). */
  detectorFor(rank: number): Detector | undefined;
  /** Resolves every name the call would fetch and reports the ones that land inside the network. */
  resolve(call: ToolCall, rank: number): Promise<Finding[]>;
}

const COMMAND_KEYS =
  /^(?:command|commands|cmd|cmdline|command_?line|script|shell|exec|run|code|args?|argv|line|program|entrypoint|payload|input)$/;
const MAX_HOSTS = 16;
const MAX_STRINGS = 10_000;

interface Pending {
  readonly host: string;
  readonly port: number | undefined;
  readonly t: ScanText;
  readonly index: number;
  readonly length: number;
}

function ssrf(code: string, t: ScanText, index: number, length: number, match: string): Finding {
  return {
    detector: 'ssrf',
    code,
    path: t.path,
    span: [index, index + length],
    match: match.slice(0, 120),
    via: [],
  };
}

/** Every string of the arguments with the key above it and its JSON pointer. */
function* strings(args: unknown): Generator<{ value: string; key: string; path: string }> {
  const stack: { value: unknown; key: string; path: string }[] = [{ value: args, key: '', path: '' }];
  for (let seen = 0; stack.length > 0 && seen < MAX_STRINGS; seen++) {
    const { value, key, path } = stack.pop() as { value: unknown; key: string; path: string };
    if (typeof value === 'string') yield { value, key, path };
    else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], key, path: `${path}/${i}` });
    } else if (typeof value === 'object' && value !== null) {
      for (const [k, v] of Object.entries(value))
        stack.push({ value: v, key: k.toLowerCase(), path: `${path}/${k}` });
    }
  }
}

/**
 * Creates the network check: loopback allowances per tier and port, and name resolution with a
 * timeout, a cache and bounded concurrency. A name that resolves to any internal address is an
 * `ssrf` finding; one that cannot be resolved is `ssrf/ssrf_unresolved` unless the settings say
 * `onResolveFailure: 'allow'`; a name that does not exist passes (nothing can connect to it).
 */
export function createNetworkCheck(
  settings: GateSettings,
  resolver: HostResolver = systemResolver,
): NetworkCheck {
  const net = settings.network ?? DEFAULT_NETWORK;
  const ranks = new Map(settings.tiers.map((t, i) => [t.name, i] as const));
  const allow = net.allow.map((a) => ({
    rank: ranks.get(a.minTier) ?? Number.POSITIVE_INFINITY,
    ports: new Set(a.ports),
    hosts: new Set(
      a.hosts.map((h) => parseBareTarget(h.includes(':') && !h.startsWith('[') ? `[${h}]` : h)?.host ?? h),
    ),
  }));
  const lookup = createResolution(resolver, { timeoutMs: net.resolveTimeoutMs });
  const detectors = new Map<number, Detector | undefined>();

  const allowanceFor = (rank: number): TargetAllowance | undefined => {
    const mine = allow.filter((a) => rank >= a.rank);
    if (mine.length === 0) return undefined;
    return (target, cls) =>
      cls !== 'cloud_metadata' &&
      target.port !== undefined &&
      mine.some((a) => a.hosts.has(target.host) && a.ports.has(target.port as number));
  };

  function detectorFor(rank: number): Detector | undefined {
    if (!detectors.has(rank)) {
      const allowed = allowanceFor(rank);
      detectors.set(rank, allowed === undefined ? undefined : createSsrfDetector(allowed));
    }
    return detectors.get(rank);
  }

  /** The names (and literals naming this machine) the call would fetch, found as the detector finds them. */
  function pending(call: ToolCall): Pending[] {
    const facts = callFacts(call.tool);
    const out: Pending[] = [];
    for (const s of strings(call.arguments)) {
      const text = normalize(s.value).text;
      const command = facts.shell || COMMAND_KEYS.test(s.key) || text.startsWith('#!');
      const t: ScanText = {
        text,
        lower: text.toLowerCase(),
        role: command ? 'command' : 'value',
        key: s.key,
        path: s.path,
        via: [],
        whole: true,
        flags: 0,
      };
      const reading = fetchReading(t.role, t.key);
      // Only calls that fetch are resolved: a command, a fetch tool, or a URL-typed argument.
      if (
        reading === 'mention' ||
        (reading === 'target' && !command && !FETCH_TOOL.test(facts.tool) && !isDestinationKey(s.key))
      )
        continue;
      for (const { target } of destinationsOf(t, facts)) {
        if (target === undefined || classifyHost(target.host) !== undefined) continue;
        out.push({ host: target.host, port: target.port, t, index: target.index, length: target.length });
      }
    }
    return out;
  }

  async function resolve(call: ToolCall, rank: number): Promise<Finding[]> {
    const todo = pending(call);
    if (todo.length === 0) return [];
    const allowed = allowanceFor(rank);
    const self = await selfNames();
    const findings: Finding[] = [];
    const names = new Map<string, Pending>();
    for (const p of todo) {
      if (self.has(p.host)) {
        if (allowed?.({ ...p, scheme: 'http' }, 'loopback') !== true)
          findings.push(ssrf('loopback', p.t, p.index, p.length, `${p.host} is this machine`));
      } else if (!p.host.startsWith('[') && !/^\d+\.\d+\.\d+\.\d+$/.test(p.host) && !names.has(p.host)) {
        names.set(p.host, p);
      }
    }
    if (names.size > MAX_HOSTS) {
      const p = todo[0] as Pending;
      return [...findings, ssrf('too_many_hosts', p.t, 0, 0, `more than ${MAX_HOSTS} names to resolve`)];
    }
    const answers = await Promise.all([...names.values()].map(async (p) => ({ p, r: await lookup(p.host) })));
    for (const { p, r } of answers) {
      if (!r.ok) {
        if (r.code !== 'nxdomain' && net.onResolveFailure === 'deny')
          findings.push(
            ssrf('ssrf_unresolved', p.t, p.index, p.length, `${p.host}: ${r.code} (${r.detail})`),
          );
        continue;
      }
      for (const address of r.addresses) {
        const cls = self.has(address) || self.has(`[${address}]`) ? 'loopback' : classifyAddress(address);
        if (cls === undefined) continue;
        if (cls === 'invalid') {
          findings.push(
            ssrf('ssrf_unresolved', p.t, p.index, p.length, `${p.host}: not an address: ${address}`),
          );
          break;
        }
        if (cls !== 'cloud_metadata' && allowed?.({ ...p, scheme: 'http' }, cls) === true) continue;
        findings.push(ssrf(`resolves_${cls}`, p.t, p.index, p.length, `${p.host} -> ${address}`));
        break;
      }
    }
    return findings;
  }

  return { detectorFor, resolve };
}
