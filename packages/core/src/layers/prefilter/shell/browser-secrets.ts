import { anyIn, argRange, exprEnd, isTok, strText, taintedNames } from './code-taint.js';
import type { ScriptToken } from './script-lexer.js';

/** Where a page keeps what signs its user in: web storage and the cookie jar. */
const STORES: ReadonlySet<string> = new Set(['localStorage', 'sessionStorage', 'cookieStore']);
/** Calls that send a request, whose arguments leave the page. */
const SENDS: ReadonlySet<string> = new Set(
  'fetch sendBeacon send open post put patch ajax WebSocket EventSource postMessage axios request'.split(' '),
);
/** Properties whose assignment loads a URL: an image, a script, a link, the page itself. */
const LOADS: ReadonlySet<string> = new Set(['src', 'href', 'location', 'action', 'data']);
/** An absolute URL: another origin (a relative one stays with the page). */
const ABSOLUTE = /^(?:https?|wss?):\/\/|^\/\/[^/]/i;

/** Only code that names a store and a URL can send a stored secret away: the rest is not read. */
export const BROWSER_SECRET_GATE = /localStorage|sessionStorage|cookie/;

function isStore(tokens: readonly ScriptToken[], t: ScriptToken, i: number): boolean {
  if (t.kind !== 'ident') return false;
  return STORES.has(t.text) || (t.text === 'cookie' && isTok(tokens[i - 1], '.'));
}

function isUrl(t: ScriptToken): boolean {
  const s = strText(t);
  return s !== undefined && ABSOLUTE.test(s.trimStart());
}

/**
 * The send in JavaScript code that carries a stored secret (web storage, `document.cookie`) to an
 * absolute URL — `fetch("https://…", {body: localStorage.getItem(…)})`, `navigator.sendBeacon`,
 * `new Image().src = "https://…?t=" + token` — or undefined. A relative URL stays with the page.
 */
export function browserSecretSend(tokens: readonly ScriptToken[]): string | undefined {
  const secrets = taintedNames(tokens, (t, i) => isStore(tokens, t, i));
  const urls = taintedNames(tokens, isUrl);
  const secret = (t: ScriptToken, i: number): boolean =>
    isStore(tokens, t, i) || (t.kind === 'ident' && secrets.has(t.text));
  const url = (t: ScriptToken): boolean => isUrl(t) || (t.kind === 'ident' && urls.has(t.text));
  // An XMLHttpRequest names its URL in `open` and sends its body in `send`: the code as a whole.
  const anyUrl = anyIn(tokens, 0, tokens.length, url);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as ScriptToken;
    if (t.kind !== 'ident') continue;
    if (SENDS.has(t.text) && isTok(tokens[i + 1], '(')) {
      const [from, to] = argRange(tokens, i + 1);
      const hasUrl = t.text === 'send' ? anyUrl : anyIn(tokens, from, to, url);
      if (hasUrl && anyIn(tokens, from, to, secret)) return t.text;
    } else if (LOADS.has(t.text) && isTok(tokens[i + 1], '=')) {
      const end = exprEnd(tokens, i + 2);
      if (anyIn(tokens, i + 2, end, url) && anyIn(tokens, i + 2, end, secret)) return t.text;
    }
  }
  return undefined;
}
