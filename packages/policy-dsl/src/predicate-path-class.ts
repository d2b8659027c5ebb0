import { PATH_CLASSES, type PathClass } from '@governed-mcp/core';
import type { Predicate } from './ast.js';
import type { CallView } from './call-view.js';
import { didYouMean, PolicyErrorCode } from './diagnostics.js';
import type { CallTest, PredicateContext } from './predicate-types.js';

/**
 * Compiles `SUBJECT is CLASS` (or `is [CLASS, ...]`): true when a string of the subject, read as a
 * path, has one of the classes of core's `classifyPath` (`code-loading`, `credential`, `system`).
 * `any string is …` also reads the paths the path layer found in command strings and resolved on
 * disk. Like other predicates, a deny reads any value, an allow every value.
 * @example
 * // deny write-code-loading when tool glob "*write*" and arg.path is code-loading
 */
export function compilePathClass(
  p: Predicate,
  existential: boolean,
  ctx: PredicateContext,
): CallTest | undefined {
  const s = p.subject;
  if (s.kind !== 'arg' && s.kind !== 'any-string') {
    ctx.report(
      p.span,
      PolicyErrorCode.TypeMismatch,
      `'is' reads a path class; it applies to arg.NAME and any string`,
    );
    return undefined;
  }
  const v = p.value;
  const wanted = new Set<PathClass>();
  for (const item of v.kind === 'list' ? v.items : [v]) {
    const name = item.kind === 'ident' ? item.name : item.kind === 'string' ? item.value : undefined;
    if (name === undefined || !(PATH_CLASSES as readonly string[]).includes(name)) {
      const shown = name === undefined ? `a ${item.kind}` : `'${name}'`;
      ctx.report(
        item.span,
        PolicyErrorCode.UnknownField,
        `unknown path class ${shown}; path classes are ${PATH_CLASSES.join(', ')}${didYouMean(name ?? '', PATH_CLASSES)}`,
      );
      return undefined;
    }
    wanted.add(name as PathClass);
  }
  const hit = (classes: readonly PathClass[]): boolean => classes.some((c) => wanted.has(c));
  if (s.kind === 'any-string') return (view: CallView) => view.allPathClasses.some(hit);
  const key = s.path.join('\u0000');
  const test = (view: CallView, x: unknown): boolean => typeof x === 'string' && hit(view.pathClasses(x));
  return existential
    ? (view) => view.arg(s.path, key).some((x) => test(view, x))
    : (view) => {
        const found = view.arg(s.path, key);
        return found.length > 0 && found.every((x) => test(view, x));
      };
}
