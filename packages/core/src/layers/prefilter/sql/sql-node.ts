/** A node of the parser's syntax tree, read generically (its fields vary by `type`). */
export interface SqlNode {
  readonly [field: string]: unknown;
}

/** True for a syntax-tree node (any non-array object). */
export function isNode(value: unknown): value is SqlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The node's `type`, lower-case, or `''` when it has none. */
export function typeOf(value: unknown): string {
  if (!isNode(value)) return '';
  return typeof value.type === 'string' ? value.type.toLowerCase() : '';
}

/** The child nodes of `node`, in field order (lists flattened; source locations skipped). */
export function childrenOf(node: SqlNode): SqlNode[] {
  const out: SqlNode[] = [];
  for (const [field, value] of Object.entries(node)) {
    if (field === 'loc') continue;
    if (Array.isArray(value)) {
      for (const v of value) if (isNode(v)) out.push(v);
    } else if (isNode(value)) {
      out.push(value);
    }
  }
  return out;
}

/** The node's upper-case operator or keyword, without spaces: `'='`, `'AND'`, `'ISNOT'`, `'NOTIN'`. */
export function operatorOf(node: SqlNode): string {
  return typeof node.operator === 'string' ? node.operator.toUpperCase().replace(/\s+/g, '') : '';
}

/** The lower-case last part of a function's name (`public.lo_export` reads `lo_export`). */
export function functionNameOf(node: SqlNode): string | undefined {
  const name = node.name;
  if (typeof name === 'string') return name.toLowerCase();
  if (!isNode(name)) return undefined;
  const parts = Array.isArray(name.name) ? name.name : [];
  const last: unknown = parts[parts.length - 1];
  if (isNode(last) && typeof last.value === 'string') return last.value.toLowerCase();
  return typeof name.name === 'string' ? name.name.toLowerCase() : undefined;
}

/** The lower-case text of a keyword-ish field (`'ALL PRIVILEGES'`, `{ value: 'DATABASE' }`). */
export function wordOf(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase();
  if (isNode(value) && typeof value.value === 'string') return value.value.toLowerCase();
  return '';
}
