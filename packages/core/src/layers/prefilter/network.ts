import { type Detector, finding, type ScanText } from './detector.js';

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

function classifyV4(a: number, b: number, c: number, d: number): HostClass | undefined {
  if (a === 169 && b === 254 && c === 169 && d === 254) return 'cloud_metadata';
  if (a === 100 && b === 100 && c === 100 && d === 200) return 'cloud_metadata';
  if (a === 127) return 'loopback';
  if (a === 0) return 'unspecified';
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
  if (
    host.endsWith('.internal') ||
    host.endsWith('.svc.cluster.local') ||
    host === 'kubernetes.default.svc'
  ) {
    return 'private_network';
  }
  // Wildcard DNS services that resolve to the address written in the name.
  const wildcard =
    /(?:^|\.)(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})\.(?:nip\.io|sslip\.io|xip\.io)$/.exec(host);
  if (wildcard !== null)
    return classifyV4(Number(wildcard[1]), Number(wildcard[2]), Number(wildcard[3]), Number(wildcard[4]));
  return undefined;
}

/** The host class of a URL or bare host string, or undefined when it is public or unparsable. */
export function classifyTarget(target: string): HostClass | undefined {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `http://${target}`);
  } catch {
    return undefined;
  }
  return url.hostname === '' ? undefined : classifyHost(url.hostname);
}

const URLS =
  /\b(?:https?|ftp|gopher|dict|ldap|tftp|wss?|smb|redis|mongodb|mysql|postgres(?:ql)?):\/\/[^\s"'<>`]{1,2048}/g;
const HOST_KEYS =
  /(?:^|_|-)(?:url|uri|href|host|hostname|ip|addr|address|endpoint|target|domain|server|link|webhook|callback|proxy)s?$/;
const BARE_HOST = /^\[?[a-z0-9.:_-]{1,253}\]?(?::\d{1,5})?(?:\/\S*)?$/;
const METADATA_TEXT = /169\.254\.169\.254|metadata\.google\.internal|100\.100\.100\.200|fd00:ec2::254/;
// A substring of each alternative of METADATA_TEXT, chosen for fast substring search.
const METADATA_LITERALS = ['169.254.169.254', 'google.internal', '100.100.100.200', '::254'];

/**
 * `ssrf`: URLs and hosts that point into the gateway's own network: cloud metadata, loopback,
 * private and link-local ranges, in every spelling the URL parser accepts. In documents only the
 * metadata endpoints count (a README may well mention localhost).
 */
export const ssrfDetector: Detector = {
  id: 'ssrf',
  roles: ['command', 'value', 'document', 'decoded'],
  scan(t: ScanText, _call, out) {
    const lower = t.lower;
    if (t.role === 'document') {
      // Long literals: substring searches skip ahead, and the RegExp runs only when one is there.
      if (!METADATA_LITERALS.some((l) => lower.includes(l))) return;
      const m = METADATA_TEXT.exec(lower);
      if (m !== null) out.push(finding('ssrf', 'cloud_metadata', t, m.index, m[0].length));
      return;
    }
    if (lower.includes('://')) {
      URLS.lastIndex = 0;
      for (let m = URLS.exec(lower); m !== null; m = URLS.exec(lower)) {
        const cls = classifyTarget(m[0]);
        if (cls !== undefined) {
          out.push(finding('ssrf', cls, t, m.index, m[0].length));
          return;
        }
      }
    }
    const trimmed = lower.trim();
    // A bare host or number counts only where the key says it is one ("2130706433" is just a number).
    if (t.whole && HOST_KEYS.test(t.key) && BARE_HOST.test(trimmed)) {
      const cls = classifyTarget(trimmed);
      if (cls !== undefined) out.push(finding('ssrf', cls, t, lower.indexOf(trimmed), trimmed.length));
    }
  },
};

const SCHEME_WHOLE =
  /^\s*(?:javascript:|vbscript:|data:\s*(?:text\/html|application\/(?:x-)?javascript|image\/svg)|file:|jar:|gopher:|dict:|php:\/\/|expect:\/\/|phar:\/\/|ldap:\/\/)/;
const SCHEME_EMBEDDED =
  /(?:(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*|\]\(\s*)(?:javascript|vbscript|data):|(?:^|[\s"'(=])(?:javascript|vbscript):|\b(?:file|gopher|dict|phar|expect):\/\//;

/** True when `lower` contains `script:`, `data:` or `://`: each is read back from one of its colons. */
function embeddedSchemePossible(lower: string): boolean {
  for (let i = lower.indexOf(':'); i >= 0; i = lower.indexOf(':', i + 1)) {
    if (
      lower.startsWith('//', i + 1) ||
      (i >= 6 && lower.startsWith('script', i - 6)) ||
      (i >= 4 && lower.startsWith('data', i - 4))
    ) {
      return true;
    }
  }
  return false;
}

/** `dangerous-scheme`: `javascript:`, `vbscript:`, HTML `data:`, `file:`, and SSRF-smuggling schemes. */
export const schemeDetector: Detector = {
  id: 'dangerous-scheme',
  roles: ['command', 'value', 'document', 'decoded'],
  scan(t, _call, out) {
    if (!t.lower.includes(':')) return;
    const whole = t.role === 'document' ? null : SCHEME_WHOLE.exec(t.lower);
    if (whole !== null) {
      out.push(finding('dangerous-scheme', 'scheme', t, whole.index, whole[0].length));
      return;
    }
    // Every embedded form needs one of these: most text is settled by a walk over its colons.
    if (!embeddedSchemePossible(t.lower)) return;
    const m = SCHEME_EMBEDDED.exec(t.lower);
    if (m !== null && (t.role !== 'document' || /javascript|vbscript|data/.test(m[0]))) {
      out.push(finding('dangerous-scheme', 'scheme', t, m.index, m[0].length));
    }
  },
};
