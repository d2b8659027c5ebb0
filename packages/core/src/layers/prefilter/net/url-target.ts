/**
 * URLs as the fetching client reads them. WHATWG `URL` (browsers, Node's `fetch`, undici) accepts
 * `http:/h`, `http:\\h`, `http:h` and `HTTP://h` for special schemes, drops tabs and newlines, folds
 * `。`, `．` and `｡` into dots and canonicalises every IPv4 spelling; curl adds its own leniency (no
 * scheme means http, surrounding spaces are trimmed, any scheme's host is an inet_aton number). A
 * span is read with both, so a spelling either client would fetch is seen as that fetch.
 */

/** Where a fetch would go: the canonical host (WHATWG form, IPv6 in brackets) and the port. */
export interface FetchTarget {
  /** Lower-case host as the WHATWG parser leaves it, without a trailing dot. */
  readonly host: string;
  /** The port the client connects to; undefined when the scheme has no well-known one. */
  readonly port: number | undefined;
  readonly scheme: string;
  /** Start and length of the span in the text it was found in. */
  readonly index: number;
  readonly length: number;
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = {
  http: 80,
  https: 443,
  ws: 80,
  wss: 443,
  ftp: 21,
  gopher: 70,
  redis: 6379,
  mongodb: 27017,
  mysql: 3306,
  postgres: 5432,
  postgresql: 5432,
  ldap: 389,
  smb: 445,
  dict: 2628,
  telnet: 23,
  ssh: 22,
  sftp: 22,
  amqp: 5672,
  mqtt: 1883,
};

// Schemes whose authority WHATWG finds with any run of slashes and backslashes, or none at all.
const SPECIAL = 'https?|wss?|ftp';
// Wrappers that open local resources, not hosts (the dangerous-scheme detector judges them). Any
// other scheme followed by `//` is read as a connection to its authority.
const LOCAL = 'file|php|phar|jar|zip|glob|expect|data|blob|about|javascript|vbscript|compress\\.[a-z0-9]+';
// A scheme, then either `//` (any scheme) or, for special schemes, any mix of / and \ or nothing.
// The host must start right after: a letter, digit, `[`, `%` or a non-ASCII character.
const URL_SPAN = new RegExp(
  `(?<![a-z0-9+.-])(?:(${SPECIAL}):[\\\\/]*|(?!(?:${LOCAL}):)([a-z][a-z0-9+.-]{1,20}):\\/\\/|(?<![\\w:/\\\\.])(\\/\\/))` +
    `(?=[a-z0-9[%\\u0080-\\uffff])[^\\s"'<>\`]{1,2048}`,
  'giu',
);

function portOf(url: URL, scheme: string): number | undefined {
  if (url.port !== '') return Number(url.port);
  return DEFAULT_PORTS[scheme];
}

/**
 * Parses one span as a fetching client would: `scheme` is the scheme written (undefined: curl's
 * default, http). Every scheme's authority is read as http's, so IPv4 numbers are canonical.
 */
export function parseTarget(span: string, scheme: string | undefined, index = 0): FetchTarget | undefined {
  const lower = scheme?.toLowerCase() ?? 'http';
  const rest = scheme === undefined ? span.trim() : span.slice(span.indexOf(':') + 1);
  let url: URL;
  try {
    // `http:` plus the rest: the special-scheme rules then apply to the slashes that follow.
    url = new URL(`http:${/^[\\/]/.test(rest) ? rest : `//${rest}`}`);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/\.$/, '');
  if (host === '') return undefined;
  return { host, port: portOf(url, lower), scheme: lower, index, length: span.length };
}

/**
 * Every URL-like span of `text` with a scheme (`http:/x`, `HTTP:\\x`, `redis://x`, `//x`), parsed.
 * Spans nested inside an earlier span (a URL in a query string) are not fetches and are skipped.
 */
export function findTargets(text: string): FetchTarget[] {
  const out: FetchTarget[] = [];
  URL_SPAN.lastIndex = 0;
  for (let m = URL_SPAN.exec(text); m !== null; m = URL_SPAN.exec(text)) {
    const scheme = m[1] ?? m[2] ?? 'http';
    const span = m[3] !== undefined ? `http:${m[0]}` : m[0];
    const t = parseTarget(span, scheme, m.index);
    if (t !== undefined) out.push({ ...t, length: m[0].length });
  }
  return out;
}

// A host (a name, an IPv4 number, or IPv6 in brackets), an optional port and path; no scheme.
const BARE = /^\s*(?:\[[0-9a-f:.]{2,45}\]|[\p{L}\p{N}._%。．｡-]{1,253})(?::\d{1,5})?(?:[/\\?#]\S*)?\s*$/iu;

/**
 * A whole value without a scheme (`127.0.0.1:8080/admin`, `localhost`, `[::1]:80`) read as curl
 * reads it: as an http URL. Undefined when the value is not shaped like a host.
 */
export function parseBareTarget(value: string): FetchTarget | undefined {
  if (!BARE.test(value)) return undefined;
  const t = parseTarget(value, undefined, value.length - value.trimStart().length);
  return t === undefined ? undefined : { ...t, length: value.trim().length };
}

/** True when the value carries a port or path, which makes even a one-label name a destination. */
export function hasPortOrPath(value: string): boolean {
  return /[\]\p{L}\p{N}]:\d{1,5}(?:[/\\?#]|\s*$)|[/\\]/u.test(value);
}
