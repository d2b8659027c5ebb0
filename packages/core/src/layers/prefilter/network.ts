import { ALL_ROLES, type CallFacts, type Detector, finding, type ScanText } from './detector.js';
import { commandDestinations } from './net/curl-routing.js';
import { classifyHost, type HostClass } from './net/host-class.js';
import { type FetchTarget, findTargets, hasPortOrPath, parseBareTarget } from './net/url-target.js';

export type { HostClass } from './net/host-class.js';
export { classifyHost, classifyTarget } from './net/host-class.js';

const HOST_KEYS =
  /(?:^|_|-)(?:url|uri|href|host|hostname|ip|addr|address|endpoint|target|domain|server|link|webhook|callback|proxy|base_?url|origin|upstream)s?$/;
// Keys typed as URLs: a value without a scheme is still fetched as http (curl's reading).
const URL_KEYS =
  /(?:^|_|-)(?:url|uri|href|endpoint|link|webhook|callback|proxy|base_?url|origin|upstream)s?$/;
// Keys that name a host alone: any value there is a host.
const NAME_KEYS = /(?:^|_|-)(?:host|hostname|ip|addr|address|domain|server)s?$/;
// Tools that work on files: `target`, `uri` and their like name files there, not hosts.
const FILE_TOOL = /file|folder|director|^fs|^(?:write|read|edit|move|copy|rename|append|save|patch)/;
// A value that is a file path: one word with a separator, no scheme and no `host:port` before it.
const FILE_PATH = /^[^\s:]*[/\\][^\s]*$/;
// Keys whose text is read by people (a chat message, an issue body): a URL there is a mention.
const PROSE_KEYS =
  /(?:^|_)(?:content|contents|body|text|message|msg|description|markdown|md|html|note|notes|comment|summary|readme|doc|document|prompt|title|caption|reply|answer|subject|topic|status)s?$/;
/** Tool names that fetch what their arguments name. */
export const FETCH_TOOL =
  /fetch|http|request|browse|navigate|url|download|scrape|crawl|curl|wget|web|visit|open_?page|webhook|proxy|ping|connect|socket/;
const FETCH_WORDS =
  /(?:^|[\s/;&|(`'"])(?:curl|wget2?|nc|ncat|netcat|telnet|socat|xhs?|aria2c|https?|lynx|w3m|links)(?=\s)/;
const METADATA_TEXT = /169\.254\.169\.254|metadata\.google\.internal|100\.100\.100\.200|fd00:ec2::254/;
// A substring of each alternative of METADATA_TEXT, chosen for fast substring search.
const METADATA_LITERALS = ['169.254.169.254', 'google.internal', '100.100.100.200', '::254'];
const MAX_TARGETS = 8;

/**
 * How a text is read for SSRF: a `command` (its URLs and its fetching programs' destinations are
 * fetched), a `target` (a URL-typed argument, or any argument that is not prose), or a `mention`
 * (prose: a chat message or a document may name an intranet host without fetching it).
 */
export type FetchReading = 'command' | 'target' | 'mention';

/** True when an argument's key says it names a destination (`url`, `host`, `endpoint`, …). */
export function isDestinationKey(key: string): boolean {
  return HOST_KEYS.test(key);
}

/** The reading of one scanned text (see `FetchReading`). */
export function fetchReading(role: ScanText['role'], key: string): FetchReading {
  if (role === 'command') return 'command';
  if (role === 'document') return 'mention';
  if (HOST_KEYS.test(key)) return 'target';
  return PROSE_KEYS.test(key) ? 'mention' : 'target';
}

/** Decides whether a destination is allowed (a loopback allowance); metadata is never passed to it. */
export type TargetAllowance = (target: FetchTarget, cls: HostClass) => boolean;

/** Every destination a text would reach, as a fetching client reads it (see `fetchReading`). */
export function destinationsOf(
  t: ScanText,
  call: CallFacts,
): { target: FetchTarget | undefined; via: string }[] {
  const reading = fetchReading(t.role, t.key);
  if (reading === 'mention') return [];
  const out: { target: FetchTarget | undefined; via: string }[] = [];
  const lower = t.lower;
  if (lower.includes(':') || lower.includes('//')) {
    for (const target of findTargets(t.text)) out.push({ target, via: 'url' });
  }
  if ((reading === 'command' || t.role === 'decoded') && FETCH_WORDS.test(lower)) {
    for (const r of commandDestinations(t.text)) out.push({ target: r.target, via: r.option });
  }
  // A whole value without a scheme is a destination where the key says so (curl reads it as http).
  if (t.whole && out.length === 0 && HOST_KEYS.test(t.key)) {
    const target = bareDestination(t.text, t.key, call.tool);
    if (target !== undefined) out.push({ target, via: 'bare' });
  }
  return out.slice(0, 64);
}

/**
 * A whole value without a scheme read as the destination it names, or undefined. Under a URL-typed
 * key it is fetched as http; under a host key it is a host. Under `target` (a deploy target, a file
 * to write, or a host to reach) it is one when it has a port or a dotted host, and a single name
 * without a path is one to a tool that fetches: `reports/weekly.md` is a file, `production` a
 * stage. A file tool's relative or absolute file path is never a destination, whatever its key.
 */
function bareDestination(text: string, key: string, tool: string): FetchTarget | undefined {
  const fetchTool = FETCH_TOOL.test(tool);
  if (!fetchTool && FILE_TOOL.test(tool) && FILE_PATH.test(text.trim())) return undefined;
  const target = parseBareTarget(text);
  if (target === undefined) return undefined;
  const oneLabel = !/[.:]/.test(target.host);
  if (URL_KEYS.test(key) || NAME_KEYS.test(key))
    return !oneLabel || hasPortOrPath(text) || fetchTool ? target : undefined;
  const port = /[\]\p{L}\p{N}]:\d{1,5}(?:[/\\?#]|\s*$)/u.test(text);
  if (port || !oneLabel) return target;
  // A single name is a host to a tool that fetches; with a path it is as likely a folder.
  return fetchTool && !/[/\\?#]/.test(text.trim()) ? target : undefined;
}

/**
 * Creates the `ssrf` detector: URLs and hosts that point into the gateway's own network (cloud
 * metadata, loopback, private, link-local, cluster and one-label names) in every spelling a fetching
 * client accepts, plus curl's routing options. Prose (chat messages, documents) only counts when it
 * names a metadata endpoint, and then only in a tool that fetches (or hidden in an encoding). `allowed` exempts destinations a loopback allowance names.
 */
export function createSsrfDetector(allowed?: TargetAllowance): Detector {
  return {
    id: 'ssrf',
    roles: ALL_ROLES,
    scan(t: ScanText, call, out) {
      if (fetchReading(t.role, t.key) === 'mention') {
        // Prose of a tool that fetches nothing fetches nothing, metadata addresses included; a fetch
        // tool's prose (a browsing task) and text hidden in an encoding still count.
        if (t.role !== 'decoded' && !FETCH_TOOL.test(call.tool)) return;
        // Long literals: substring searches skip ahead, and the RegExp runs only when one is there.
        if (!METADATA_LITERALS.some((l) => t.lower.includes(l))) return;
        const m = METADATA_TEXT.exec(t.lower);
        if (m !== null) out.push(finding('ssrf', 'cloud_metadata', t, m.index, m[0].length));
        return;
      }
      let pushed = 0;
      for (const { target, via } of destinationsOf(t, call)) {
        if (pushed >= MAX_TARGETS) return;
        if (target === undefined) {
          // A local socket or a routing option that cannot be read: local by definition.
          out.push(
            finding(
              'ssrf',
              via.includes('socket') ? 'local_socket' : 'unreadable_route',
              t,
              0,
              t.text.length,
            ),
          );
          pushed++;
          continue;
        }
        const cls = classifyHost(target.host);
        if (cls === undefined) continue;
        if (cls !== 'cloud_metadata' && allowed?.(target, cls) === true) continue;
        out.push(finding('ssrf', cls, t, target.index, target.length));
        pushed++;
      }
    },
  };
}

/** `ssrf`: the detector without allowances (see `createSsrfDetector`). */
export const ssrfDetector: Detector = createSsrfDetector();

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

const FILE_URI = /^\s*file:/;

/**
 * The length of the leading `file:` of the `uri` of a `resources/read` request (any view of it), else
 * 0. There the scheme is the server's own name for its resource, not a fetching client's; the path it
 * names is still judged (`sensitive-path`, `path-traversal`, the path layer), as is the rest of the URI.
 */
function resourceFileScheme(t: ScanText, call: CallFacts): number {
  if (call.resourceRead !== true || t.path !== '/uri') return 0;
  return FILE_URI.exec(t.lower)?.[0].length ?? 0;
}

/**
 * `dangerous-scheme`: `javascript:`, `vbscript:`, HTML `data:`, `file:`, and SSRF-smuggling schemes.
 * A `file:` URI naming the resource of a `resources/read` request is the exception (see above).
 */
export const schemeDetector: Detector = {
  id: 'dangerous-scheme',
  roles: ALL_ROLES,
  scan(t, call, out) {
    if (!t.lower.includes(':')) return;
    const skip = resourceFileScheme(t, call);
    const lower = skip === 0 ? t.lower : ' '.repeat(skip) + t.lower.slice(skip);
    const whole = t.role === 'document' ? null : SCHEME_WHOLE.exec(lower);
    if (whole !== null) {
      out.push(finding('dangerous-scheme', 'scheme', t, whole.index, whole[0].length));
      return;
    }
    // Every embedded form needs one of these: most text is settled by a walk over its colons.
    if (!embeddedSchemePossible(lower)) return;
    const m = SCHEME_EMBEDDED.exec(lower);
    if (m !== null && (t.role !== 'document' || /javascript|vbscript|data/.test(m[0]))) {
      out.push(finding('dangerous-scheme', 'scheme', t, m.index, m[0].length));
    }
  },
};
