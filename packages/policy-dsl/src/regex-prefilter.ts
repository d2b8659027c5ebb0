/**
 * A cheap pre-check for a regular expression: a list of literal strings, one of which every match
 * must contain. Most argument strings contain none of them, and `String.includes` is far cheaper
 * than running even a linear-time engine. The analysis is conservative: whenever it is unsure (inline
 * flags, an alternative without a required literal) it returns undefined and the engine always runs.
 */

const SIMPLE_ESCAPES = new Set('.\\/-:()[]{}|*+?^$#&~@!"\'=,;<>% _`');

/** Literals that every match of `source` contains one of, or undefined when there is no such list. */
export function requiredLiterals(source: string): string[] | undefined {
  if (source.includes('(?')) return undefined;
  const alternatives = splitTopLevel(source);
  if (alternatives === undefined) return undefined;
  const out: string[] = [];
  for (const alt of alternatives) {
    const literal = longestRun(alt);
    if (literal === undefined) return undefined;
    if (literal !== '') {
      out.push(literal);
      continue;
    }
    // No plain run, as in `\b(curl|wget)\b`: a group the alternative requires gives its own list.
    const inner = requiredGroups(alt)
      ?.map(requiredLiterals)
      .find((list) => list !== undefined);
    if (inner === undefined) return undefined;
    out.push(...inner);
  }
  return out;
}

/** The bodies of the top-level groups that every match of `alt` goes through. */
function requiredGroups(alt: string): string[] | undefined {
  const bodies: string[] = [];
  for (let i = 0; i < alt.length; i++) {
    const c = alt[i];
    if (c === '\\') i++;
    else if (c === '[') {
      i = classEnd(alt, i);
      if (i < 0) return undefined;
    } else if (c === '(') {
      const end = groupEnd(alt, i);
      if (end < 0) return undefined;
      const q = alt[end];
      const counted = q === '{' ? QUANTIFIER.exec(alt.slice(end)) : null;
      const optional = q === '*' || q === '?' || (counted !== null && Number(counted[1]) === 0);
      if (!optional) bodies.push(alt.slice(i + 1, end - 1));
      i = end - 1;
    }
  }
  return bodies;
}

/** The top-level alternatives of a pattern, or undefined when its brackets do not balance. */
function splitTopLevel(source: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let last = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '[') {
      const end = classEnd(source, i);
      if (end < 0) return undefined;
      i = end;
    } else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === '|' && depth === 0) {
      parts.push(source.slice(last, i));
      last = i + 1;
    }
    if (depth < 0) return undefined;
  }
  if (depth !== 0) return undefined;
  parts.push(source.slice(last));
  return parts;
}

function classEnd(source: string, open: number): number {
  let i = open + 1;
  if (source[i] === '^') i++;
  if (source[i] === ']') i++;
  for (; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return -1;
}

const QUANTIFIER = /^\{(\d+)(,\d*)?\}/;
// Escapes that match one class of characters (or an assertion) and take no argument.
const CLASS_ESCAPES = new Set('bBdDsSwWAzntrfv');

/** The longest run of literal characters that every match of one alternative contains. */
function longestRun(alt: string): string | undefined {
  let best = '';
  let run = '';
  const cut = (): void => {
    if (run.length > best.length) best = run;
    run = '';
  };
  let i = 0;
  while (i < alt.length) {
    const c = alt[i]!;
    let literal: string | undefined;
    let next = i + 1;
    if (c === '\\') {
      const e = alt[i + 1] ?? '';
      if (SIMPLE_ESCAPES.has(e)) literal = e;
      else if (!CLASS_ESCAPES.has(e)) return undefined;
      next = i + 2;
    } else if (c === '(') {
      next = groupEnd(alt, i);
      if (next < 0) return undefined;
    } else if (c === '[') {
      const end = classEnd(alt, i);
      if (end < 0) return undefined;
      next = end + 1;
    } else if (c === '{') {
      const m = QUANTIFIER.exec(alt.slice(i));
      if (m !== null) next = i + m[0].length;
    } else if (!'.^$*+?|)'.includes(c)) literal = c;
    // A quantifier after this atom decides whether it is required, and whether the run goes on.
    const q = alt[next];
    const counted = q === '{' ? QUANTIFIER.exec(alt.slice(next)) : null;
    const optional = q === '*' || q === '?' || (counted !== null && Number(counted[1]) === 0);
    const repeated = q === '+' || counted !== null;
    if (literal !== undefined && !optional) {
      run += literal;
      if (repeated) cut();
    } else cut();
    i = next;
  }
  cut();
  return best;
}

function groupEnd(alt: string, open: number): number {
  let depth = 0;
  for (let i = open; i < alt.length; i++) {
    const d = alt[i];
    if (d === '\\') i++;
    else if (d === '[') {
      i = classEnd(alt, i);
      if (i < 0) return -1;
    } else if (d === '(') depth++;
    else if (d === ')' && --depth === 0) return i + 1;
  }
  return -1;
}
