import { anyIn, argRange, exprEnd, isTok, strText, taintedNames } from './code-taint.js';
import type { ScriptToken } from './script-lexer.js';
import { closing } from './script-values.js';

/** Calls that run text as code, in any of the languages read: `eval`, `Function`, `exec`, `vm.run*`, … */
const EVALUATORS: ReadonlySet<string> = new Set(
  (
    'eval exec execScript Function constructor setTimeout setInterval setImmediate runInNewContext ' +
    'runInThisContext runInContext compileFunction Script evaluate instance_eval class_eval module_eval ' +
    'instance_exec create_function loadstring dostring'
  ).split(' '),
);

/** Calls that turn encoded text back into text: base64, hex, character codes, compression, rot13, URL escapes. */
const DECODERS: ReadonlySet<string> = new Set(
  (
    'b64decode b32decode b16decode a85decode b85decode urlsafe_b64decode standard_b64decode decodebytes ' +
    'decodestring fromhex unhexlify a2b_hex a2b_base64 a2b_uu atob decode_base64 decode64 strict_decode64 ' +
    'urlsafe_decode64 base64_decode hex2bin str_rot13 convert_uudecode gzinflate gzuncompress gzdecode ' +
    'strrev decompress inflateSync inflateRawSync gunzipSync brotliDecompressSync fromCharCode ' +
    'fromCodePoint chr unescape decodeURIComponent decodeURI pack unpack unpack1 rot13 rot47'
  ).split(' '),
);

/** Encoding names passed as an argument (`Buffer.from(s, 'base64')`, `codecs.decode(s, 'rot13')`). */
const ENCODING_NAME =
  /^(?:base64|base64url|base32|hex|rot13|rot_13|zlib|bz2|uu|uu_codec|hex_codec|base64_codec)$/i;

function decodes(t: ScriptToken): boolean {
  if (t.kind === 'ident') return DECODERS.has(t.text);
  const s = strText(t);
  return s !== undefined && ENCODING_NAME.test(s);
}

/**
 * The evaluator that code hands decoded text to (`eval(atob(…))`, `new Function(Buffer.from(s,
 * 'base64').toString())`, `exec(base64.b64decode(…))`, `x = unhexlify(…); eval(x)`), or undefined.
 * What such code runs is hidden from a reader, whatever the decoded text says.
 */
export function decodedEvaluator(tokens: readonly ScriptToken[]): string | undefined {
  const decoded = taintedNames(tokens, decodes);
  const evaluators = new Set(EVALUATORS);
  // `const e = eval`: the name now runs code too.
  for (let i = 0; i + 3 < tokens.length; i++) {
    const t = tokens[i] as ScriptToken;
    const v = tokens[i + 2];
    if (t.kind === 'ident' && isTok(tokens[i + 1], '=') && v?.kind === 'ident' && EVALUATORS.has(v.text))
      if (exprEnd(tokens, i + 2) === i + 3) evaluators.add(t.text);
  }
  const hides = (u: ScriptToken): boolean => decodes(u) || (u.kind === 'ident' && decoded.has(u.text));
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as ScriptToken;
    // `window['eval'](…)`, `(0, eval)(…)`: the evaluator named by a string or behind a comma.
    const named = strText(t);
    const name = t.kind === 'ident' ? t.text : named;
    if (name === undefined || !evaluators.has(name)) continue;
    if (isTok(tokens[i - 1], 'def') || isTok(tokens[i - 1], 'function')) continue;
    const behind = isTok(tokens[i + 1], ']') || isTok(tokens[i + 1], ')');
    if (named !== undefined && !behind) continue;
    const open = behind ? i + 2 : i + 1;
    if (isTok(tokens[open], '(')) {
      const [from, to] = argRange(tokens, open);
      for (const [a, b] of splitArgs(tokens, from, to))
        if (!isFunction(tokens, a, b) && anyIn(tokens, a, b, hides)) return name;
    } else if (named === undefined && tokens[i + 1]?.kind === 'ident') {
      // Perl's and Ruby's calls without parentheses: `eval decode_base64 $x`.
      if (anyIn(tokens, i + 1, exprEnd(tokens, i + 1), hides)) return name;
    }
  }
  return undefined;
}

/** The arguments of `[from, to)`, split at top-level commas. */
function splitArgs(tokens: readonly ScriptToken[], from: number, to: number): [number, number][] {
  const out: [number, number][] = [];
  let start = from;
  for (let i = from; i < to; ) {
    const t = tokens[i] as ScriptToken;
    if (isTok(t, ',')) {
      out.push([start, i]);
      start = ++i;
    } else if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{'))
      i = closing(tokens, i);
    else i++;
  }
  out.push([start, to]);
  return out;
}

/** True when an argument is a function (`() => …`, `x => …`, `function …`, `lambda: …`): a callback, not text. */
function isFunction(tokens: readonly ScriptToken[], from: number, to: number): boolean {
  const first = tokens[from];
  if (isTok(first, 'function') || isTok(first, 'lambda') || isTok(first, 'async')) return true;
  for (let i = from; i < to; ) {
    const t = tokens[i] as ScriptToken;
    if (isTok(t, '=>')) return true;
    if (t.kind === 'punct' && (t.text === '(' || t.text === '[' || t.text === '{')) i = closing(tokens, i);
    else i++;
  }
  return false;
}
