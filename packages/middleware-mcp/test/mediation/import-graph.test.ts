import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every `.ts` file under `dir`, as absolute paths. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// `import … from './x.js'`, `import type … from`, `export … from` and side-effect `import './x.js'`.
const RELATIVE_SPECIFIER = /(?:^|[\s;}])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const BARE_IMPORT = /(?:^|[\s;])import\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** The relative imports of one file (type-only ones included), resolved to `.ts` paths. */
function importsOf(file: string, text: string = readFileSync(file, 'utf8')): string[] {
  const specifiers = [...text.matchAll(RELATIVE_SPECIFIER), ...text.matchAll(BARE_IMPORT)].map((m) => m[1]!);
  return specifiers.map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
}

/** The first import cycle found, as a path that starts and ends at the same file; undefined if none. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

describe('the import graph of the package source', () => {
  it('finds a cycle in a graph that has one, and reports its path', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', []],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', []],
        ]),
      ),
    ).toBeUndefined();
  });

  it('reads type-only, re-export and side-effect imports, not strings that merely look like them', () => {
    const text = [
      "import type { A } from './a.js';",
      "import { b, type B } from '../b.js';",
      "export { c } from './c.js';",
      "import './d.js';",
      "import { z } from 'zod';",
      'const s = \'import x from "./not-an-import.js"\';',
    ].join('\n');
    const found = importsOf('/p/src/m/x.ts', text);
    expect(found).toEqual(['/p/src/m/a.ts', '/p/src/b.ts', '/p/src/m/c.ts', '/p/src/m/d.ts']);
  });

  it('has no cycle, type imports included', () => {
    const files = sourceFiles(SRC);
    expect(files.some((f) => f.includes('/mediation/'))).toBe(true);
    const graph = new Map(files.map((f) => [f, importsOf(f)] as const));
    const cycle = findCycle(graph)?.map((f) => relative(SRC, f));
    expect(cycle, `import cycle: ${cycle?.join(' -> ')}`).toBeUndefined();
  });
});
