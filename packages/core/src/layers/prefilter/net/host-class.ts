import { findTargets, parseBareTarget } from './url-target.js';

/** Why a host is an SSRF target, or undefined for a public host. */
export type HostClass = 'cloud_metadata' | 'loopback' | 'private_network' | 'link_local' | 'unspecified';

const METADATA_NAMES = new Set([
  'metadata.google.internal',
  'metadata',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.com',
  'metadata.platformequinix.com',
]);
const LOOPBACK_NAMES = new Set([
  'localhost',
  'localtest.me',
  'lvh.me',
  'vcap.me',
  'ip6-localhost',
  'ip6-loopback',
]);

// Names private by construction: cluster DNS, mDNS, home and corporate suffixes.
const PRIVATE_SUFFIX = /\.(?:internal|local|lan|home\.arpa|intranet|corp|svc|cluster\.local|localdomain)$/;
const PRIVATE_NAMES = new Set(['kubernetes.default', 'kubernetes.default.svc', 'kubernetes']);

/** Classifies four IPv4 octets. */
export function classifyV4(a: number, b: number, c: number, d: number): HostClass | undefined {
  if (a === 169 && b === 254 && c === 169 && d === 254) return 'cloud_metadata';
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'cloud_metadata';
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
  if (a === 198 && (b === 18 || b === 19)) return 'private_network';
  if (a >= 224) return 'private_network';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private_network';
  if (a === 100 && b >= 64 && b <= 127) return 'private_network';
  if (a === 169 && b === 254) return 'link_local';
  return undefined;
}

function dotted(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4) return undefined;
  const nums = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return nums.every((n) => n >= 0 && n <= 255) ? nums : undefined;
}

function classifyV6(host: string): HostClass | undefined {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === '::1') return 'loopback';
  if (h === '::') return 'unspecified';
  if (h === 'fd00:ec2::254') return 'cloud_metadata';
  // IPv4-mapped, -compatible and NAT64 forms carry an IPv4 address in their last 32 bits.
  const embedded = /^(?:::ffff:|::|64:ff9b::)(?:([0-9a-f]{1,4}):([0-9a-f]{1,4})|(\d+\.\d+\.\d+\.\d+))$/.exec(
    h,
  );
  if (embedded !== null) {
    if (embedded[3] !== undefined) {
      const v4 = dotted(embedded[3]);
      return v4 === undefined ? undefined : classifyV4(v4[0]!, v4[1]!, v4[2]!, v4[3]!);
    }
    const hi = Number.parseInt(embedded[1] as string, 16);
    const lo = Number.parseInt(embedded[2] as string, 16);
    return classifyV4(hi >> 8, hi & 0xff, lo >> 8, lo & 0xff);
  }
  if (/^f[cd][0-9a-f]{0,2}:/.test(h)) return 'private_network';
  if (/^fe[89ab][0-9a-f]?:/.test(h)) return 'link_local';
  return undefined;
}

/**
 * Classifies a hostname as the WHATWG URL parser leaves it (lower case; IPv4 in any spelling —
 * decimal, hex, octal, short — already canonical dotted form; IPv6 in brackets).
 */
export function classifyHost(hostname: string): HostClass | undefined {
  const host = hostname.replace(/\.$/, '');
  if (host.startsWith('[')) return classifyV6(host);
  const v4 = dotted(host);
  if (v4 !== undefined) return classifyV4(v4[0]!, v4[1]!, v4[2]!, v4[3]!);
  if (METADATA_NAMES.has(host)) return 'cloud_metadata';
  if (LOOPBACK_NAMES.has(host) || host.endsWith('.localhost')) return 'loopback';
  if (PRIVATE_SUFFIX.test(host) || PRIVATE_NAMES.has(host)) return 'private_network';
  // Wildcard DNS services that resolve to the address written in the name.
  const wildcard =
    /(?:^|\.)(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})\.(?:nip\.io|sslip\.io|xip\.io)$/.exec(host);
  if (wildcard !== null)
    return classifyV4(Number(wildcard[1]), Number(wildcard[2]), Number(wildcard[3]), Number(wildcard[4]));
  // A name of one label is looked up in the local search domains: the gateway's own network.
  if (!host.includes('.') && !host.includes(':') && host !== '') return 'private_network';
  return undefined;
}

/** The host class of a URL or bare host string, read as a fetching client would; undefined when public or unparsable. */
export function classifyTarget(target: string): HostClass | undefined {
  const t = findTargets(target)[0] ?? parseBareTarget(target);
  return t === undefined ? undefined : classifyHost(t.host);
}

/**
 * Classifies an address a resolver returned (`10.0.0.5`, `::ffff:a00:5`); `'invalid'` when it is no
 * IP address at all (a resolver that answers nonsense is a failure, not a public host).
 */
export function classifyAddress(address: string): HostClass | 'invalid' | undefined {
  const v6 = address.includes(':');
  let host: string;
  try {
    host = new URL(`http://${v6 ? `[${address}]` : address}/`).hostname;
  } catch {
    return 'invalid';
  }
  if (v6 ? !host.startsWith('[') : dotted(host) === undefined || host !== address) return 'invalid';
  return classifyHost(host);
}
