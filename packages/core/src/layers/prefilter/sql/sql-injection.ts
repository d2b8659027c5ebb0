// Classic injection fragments in a value that is not itself a query: a tautology after a closing
// quote, a statement stacked after one, or UNION SELECT … FROM.
const INJECTION =
  /'\s{0,10}(?:or|and)\s{1,10}'?(\w{1,10})'?\s{0,10}=\s{0,10}'?\1\b|'\s{0,10};\s{0,10}(?:drop|delete|update|insert|shutdown|exec)\b|\bunion\s+(?:all\s+)?select\b[^\n]{0,200}\bfrom\b/;

/** Where a value breaks out of the quoted literal or number it is meant to fill, if it does. */
export function findInjection(lower: string): { index: number; length: number } | undefined {
  if (!lower.includes("'") && !lower.includes('union')) return undefined;
  const m = INJECTION.exec(lower);
  return m === null ? undefined : { index: m.index, length: m[0].length };
}
