import { childrenOf, isNode, operatorOf, type SqlNode, typeOf } from './sql-node.js';

/**
 * Whether a WHERE condition pins rows, the test a targeted DELETE or UPDATE must pass.
 *
 * The principle: a targeted change names its rows. A condition pins rows when it compares a column
 * by equality (`=`, `==`, `<=>`) or `IN (…)` with values that do not depend on the row (literals,
 * parameters, functions of those, or a subquery). `A AND B` pins when either side does; `A OR B`
 * only when both do. Everything else, whatever its shape, does not pin: constants and tautologies
 * (`1`, `TRUE`, `'a'='a'`, `x = x`, `NOT 0`), ranges (`id > 0`, `BETWEEN`), `IS [NOT] NULL`, `LIKE`,
 * `NOT IN`, negations. The gate cannot tell `id > 0` from "every row", so it does not try.
 */
export function pinsRows(expr: unknown): boolean {
  if (!isNode(expr) || typeOf(expr) !== 'binary_expr') return false;
  const op = operatorOf(expr);
  const { left, right } = expr;
  if (op === 'AND' || op === '&&') return pinsRows(left) || pinsRows(right);
  if (op === 'OR' || op === '||') return pinsRows(left) && pinsRows(right);
  if (op === '=' || op === '==' || op === '<=>') {
    return (isColumn(left) && isRowFree(right)) || (isColumn(right) && isRowFree(left));
  }
  if (op === 'IN') return isColumn(left) && isInList(right);
  return false;
}

function isColumn(node: unknown): boolean {
  return isNode(node) && typeOf(node) === 'column_ref' && node.column !== '*';
}

/** A subquery: the parser wraps one as `{ ast, tableList, columnList }` or gives the select itself. */
function isSubquery(node: SqlNode): boolean {
  const type = typeOf(node);
  return type === 'select' || (isNode(node.ast) && Array.isArray(node.tableList));
}

function isInList(node: unknown): boolean {
  if (!isNode(node)) return false;
  if (isSubquery(node)) return true;
  if (typeOf(node) !== 'expr_list' || !Array.isArray(node.value)) return false;
  return node.value.length > 0 && node.value.every(isRowFree);
}

// Variables with these prefixes are parameters or session values (`$1`, `@id`, `:name`); a bare
// variable may be a column the dialect could not tell apart, so it counts as the row's.
const PARAMETER_PREFIX = new Set(['$', '@', '@@', ':']);

/** True when the value does not refer to the row: no column outside a subquery or a function's name. */
function isRowFree(node: unknown): boolean {
  if (!isNode(node)) return false;
  const stack: SqlNode[] = [node];
  let seen = 0;
  while (stack.length > 0) {
    const n = stack.pop() as SqlNode;
    if (++seen > 10_000) return false;
    if (isSubquery(n)) continue;
    const type = typeOf(n);
    if (type === 'column_ref') return false;
    // `||` is OR in MySQL (`id = 1 || 1` is every row) and concatenation elsewhere: it cannot pin.
    if (type === 'binary_expr' && operatorOf(n) === '||') return false;
    if (type === 'var' && !PARAMETER_PREFIX.has(String(n.prefix))) return false;
    if (type === 'function' || type === 'aggr_func') {
      if (isNode(n.args)) stack.push(n.args);
      continue;
    }
    stack.push(...childrenOf(n));
  }
  return true;
}
