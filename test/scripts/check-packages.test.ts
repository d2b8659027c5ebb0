import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  attributeDiagnostics,
  extractSnippets,
  isOwnDiagnostic,
  isStdioServer,
} from '../../scripts/check-packages/snippets.mjs';
import { checkTarball, exportTargets } from '../../scripts/check-packages/tarball.mjs';

const EXPORTS = {
  '.': {
    '@governed-mcp/source': './src/index.ts',
    types: './dist/src/index.d.ts',
    default: './dist/src/index.js',
  },
};

function tarball(
  manifest: Record<string, unknown>,
  files: string[] = ['package.json', 'README.md', 'LICENSE', 'dist/src/index.d.ts', 'dist/src/index.js'],
) {
  const full = { name: '@governed-mcp/x', version: '0.1.0', files: ['dist'], exports: EXPORTS, ...manifest };
  return { manifest: full, rawManifest: JSON.stringify(full), files };
}

const codes = (problems: readonly { code: string }[]) => problems.map((p) => p.code);

describe('exportTargets', () => {
  it('lists every leaf of a subpath map with the conditions that lead to it', () => {
    expect(exportTargets({ ...EXPORTS, './node': './dist/node.js' })).toEqual([
      { subpath: '.', conditions: ['@governed-mcp/source'], target: './src/index.ts' },
      { subpath: '.', conditions: ['types'], target: './dist/src/index.d.ts' },
      { subpath: '.', conditions: ['default'], target: './dist/src/index.js' },
      { subpath: './node', conditions: [], target: './dist/node.js' },
    ]);
  });

  it('treats a bare string or a bare condition object as the root export', () => {
    expect(exportTargets('./index.js')).toEqual([{ subpath: '.', conditions: [], target: './index.js' }]);
    expect(exportTargets({ import: './a.js' })).toEqual([
      { subpath: '.', conditions: ['import'], target: './a.js' },
    ]);
  });
});

describe('checkTarball', () => {
  it('passes a tarball with its README, LICENSE and every published export target', () => {
    const { failures, notes } = checkTarball(tarball({}));
    expect(failures).toEqual([]);
    expect(codes(notes)).toEqual(['source_condition_unshipped']);
  });

  it('fails a packed manifest that still holds a workspace: range', () => {
    const { failures } = checkTarball(tarball({ dependencies: { '@governed-mcp/core': 'workspace:*' } }));
    expect(codes(failures)).toEqual(['workspace_protocol']);
  });

  it('names each missing README and LICENSE, and accepts LICENSE.md', () => {
    const bare = checkTarball(tarball({}, ['package.json', 'dist/src/index.d.ts', 'dist/src/index.js']));
    expect(bare.failures.map((f) => f.message)).toEqual(['tarball lacks README.md', 'tarball lacks LICENSE']);
    const withMd = checkTarball(
      tarball({}, ['package.json', 'README.md', 'LICENSE.md', 'dist/src/index.d.ts', 'dist/src/index.js']),
    );
    expect(withMd.failures).toEqual([]);
  });

  it('fails an export whose types or default target is not in the tarball', () => {
    const { failures } = checkTarball(
      tarball({}, ['package.json', 'README.md', 'LICENSE', 'dist/src/index.js']),
    );
    expect(codes(failures)).toEqual(['missing_export_target']);
    expect(failures[0]?.message).toContain('./dist/src/index.d.ts');
  });

  it('fails an export reachable only through the source condition, or pointing at TypeScript source', () => {
    const sourceOnly = checkTarball(
      tarball({ exports: { '.': { '@governed-mcp/source': './src/index.ts' } } }),
    );
    expect(codes(sourceOnly.failures)).toEqual(['source_only_export']);
    const tsTarget = checkTarball(
      tarball({ exports: { '.': { types: './src/index.ts', default: './src/index.ts' } }, files: ['src'] }, [
        'package.json',
        'README.md',
        'LICENSE',
        'src/index.ts',
      ]),
    );
    expect(codes(tsTarget.failures)).toEqual(['typescript_runtime_target', 'typescript_runtime_target']);
  });

  it('fails an export without a types target', () => {
    const { failures } = checkTarball(tarball({ exports: { '.': { default: './dist/src/index.js' } } }));
    expect(codes(failures)).toEqual(['export_without_types']);
  });

  it('fails src/ or test/ shipped without being listed in files, and test files anywhere', () => {
    const { failures } = checkTarball(
      tarball({}, [
        'package.json',
        'README.md',
        'LICENSE',
        'dist/src/index.d.ts',
        'dist/src/index.js',
        'src/index.ts',
        'dist/test/a.test.js',
      ]),
    );
    expect(codes(failures)).toEqual(['stray_directory', 'test_file_shipped']);
  });

  it('fails a bin whose file is not shipped', () => {
    const { failures } = checkTarball(tarball({ bin: { 'governed-mcp': './bin/governed-mcp.js' } }));
    expect(codes(failures)).toEqual(['missing_bin_target']);
  });
});

describe('extractSnippets', () => {
  const fence = (language: string, body: string) => ['```' + language, body, '```'].join('\n');

  it('takes only ts blocks whose first line names their file, with the line the fence opens on', () => {
    const markdown = [
      '# Title',
      fence('ts', "// file: hello.ts\nconsole.log('hi');"),
      fence('ts', 'const notASnippet = 1;'),
      fence('jsonc', '// file: config.ts\n{}'),
      fence('typescript', '// file: other-one.ts\nexport {};'),
    ].join('\n\n');
    const { snippets, problems } = extractSnippets(markdown);
    expect(problems).toEqual([]);
    expect(snippets.map((s) => [s.file, s.line])).toEqual([
      ['hello.ts', 3],
      ['other-one.ts', 17],
    ]);
    expect(snippets[0]?.code).toBe("// file: hello.ts\nconsole.log('hi');\n");
  });

  it('reports a bad or repeated name and skips that block', () => {
    const markdown = [
      fence('ts', '// file: ../escape.ts\n'),
      fence('ts', '// file: a.ts\n1;'),
      fence('ts', '// file: a.ts\n2;'),
    ].join('\n');
    const { snippets, problems } = extractSnippets(markdown);
    expect(snippets.map((s) => s.file)).toEqual(['a.ts']);
    expect(codes(problems)).toEqual(['snippet_bad_name', 'snippet_duplicate_name']);
  });

  it('finds the fixture snippets the check falls back on: one stdio server and one script', async () => {
    const fixture = await readFile(
      new URL('../../scripts/check-packages/fixture-readme.md', import.meta.url),
      'utf8',
    );
    const { snippets, problems } = extractSnippets(fixture);
    expect(problems).toEqual([]);
    expect(snippets.map((s) => [s.file, isStdioServer(s.code)])).toEqual([
      ['governed-notes-server.ts', true],
      ['check-one-call.ts', false],
    ]);
  });
});

describe('attributeDiagnostics', () => {
  it('files each message under its snippet, and groups the rest by the file they are about', () => {
    const output = [
      "src/a.ts(3,1): error TS2304: Cannot find name 'x'.",
      '  continued detail',
      "node_modules/@governed-mcp/probe/dist/src/x.d.ts(1,20): error TS2307: Cannot find module 'node-llama-cpp'.",
      "node_modules/web-tree-sitter/web-tree-sitter.d.ts(160,39): error TS2304: Cannot find name 'EmscriptenModule'.",
      "error TS5083: Cannot read file 'tsconfig.json'.",
    ].join('\n');
    const { perFile, other } = attributeDiagnostics(output, ['a.ts', 'b.ts']);
    expect(perFile.get('a.ts')).toHaveLength(2);
    expect(perFile.get('b.ts')).toEqual([]);
    expect(other.map((g) => g.file)).toEqual([
      'node_modules/@governed-mcp/probe/dist/src/x.d.ts',
      'node_modules/web-tree-sitter/web-tree-sitter.d.ts',
      undefined,
    ]);
    const names = ['@governed-mcp/core', '@governed-mcp/probe'];
    expect(other.map((g) => isOwnDiagnostic(g, names))).toEqual([true, false, true]);
  });
});
