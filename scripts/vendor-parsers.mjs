#!/usr/bin/env node
// Part of core's build: copies the parser files core loads at run time into packages/core/vendor/, so
// that the published package needs neither node-sql-parser (88 MB installed) nor tree-sitter-bash
// (19 MB) as a dependency. Writes each project's licence beside its files and a README naming the
// versions copied. The file names match VENDOR_FILES in packages/core/src/vendor-files.ts.
//
//   node scripts/vendor-parsers.mjs [--out DIR]     (default packages/core/vendor)
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const core = fileURLToPath(new URL('../packages/core/', import.meta.url));
const { values: flags } = parseArgs({ options: { out: { type: 'string', default: join(core, 'vendor') } } });
const out = resolve(flags.out);

const DATABASE = {
  postgresql: 'PostgresQL',
  mysql: 'MySQL',
  sqlite: 'Sqlite',
  transactsql: 'TransactSQL',
  bigquery: 'BigQuery',
};
const DIALECTS = Object.keys(DATABASE);
// The dialect builds are self-contained webpack bundles except for one require of big-integer; it is
// copied beside them and the require pointed at the copy, so the files load with no node_modules.
const BIG_INTEGER = 'big-integer';
const BIG_INTEGER_FILE = 'big-integer.cjs';
const REQUIRE = /\brequire\(\s*(["'])([^"']+)\1\s*\)/g;

/** The folder and manifest of `name`, resolved the way `from` (a package folder) resolves it. */
function locate(name, from) {
  const manifestPath = createRequire(join(from, 'package.json')).resolve(`${name}/package.json`);
  return { dir: dirname(manifestPath), manifest: JSON.parse(readFileSync(manifestPath, 'utf8')) };
}

function licenceOf(dir, name) {
  const file = readdirSync(dir).find((f) => /^licen[cs]e(\.(md|txt))?$/i.test(f));
  if (file === undefined) throw new Error(`vendor-parsers: ${name} ships no LICENSE file in ${dir}`);
  return join(dir, file);
}

/** The builds' requires, each pointed at the copied big-integer; any other require is an error. */
function pointRequires(text, file) {
  let count = 0;
  const rewritten = text.replace(REQUIRE, (_match, quote, specifier) => {
    if (specifier !== BIG_INTEGER)
      throw new Error(`vendor-parsers: ${file} requires '${specifier}'; only '${BIG_INTEGER}' is vendored`);
    count++;
    return `require(${quote}./${BIG_INTEGER_FILE}${quote})`;
  });
  return { rewritten, count };
}

const sqlParser = locate('node-sql-parser', core);
const bigInteger = locate(BIG_INTEGER, sqlParser.dir);
const bash = locate('tree-sitter-bash', core);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

for (const dialect of DIALECTS) {
  const from = join(sqlParser.dir, 'build', `${dialect}.js`);
  const { rewritten, count } = pointRequires(readFileSync(from, 'utf8'), from);
  writeFileSync(join(out, `sql-${dialect}.cjs`), rewritten);
  process.stderr.write(
    `vendor-parsers: sql-${dialect}.cjs (${count} require of ${BIG_INTEGER} pointed at the copy)\n`,
  );
}
const bigIntegerMain = createRequire(join(sqlParser.dir, 'package.json')).resolve(BIG_INTEGER);
const bigIntegerText = readFileSync(bigIntegerMain, 'utf8');
if ([...bigIntegerText.matchAll(REQUIRE)].length > 0)
  throw new Error(`vendor-parsers: ${bigIntegerMain} requires other modules`);
writeFileSync(join(out, BIG_INTEGER_FILE), bigIntegerText);
copyFileSync(join(bash.dir, 'tree-sitter-bash.wasm'), join(out, 'tree-sitter-bash.wasm'));

const projects = [
  { pkg: sqlParser, files: DIALECTS.map((d) => `build/${d}.js → sql-${d}.cjs`) },
  { pkg: bigInteger, files: [`${relative(bigInteger.dir, bigIntegerMain)} → ${BIG_INTEGER_FILE}`] },
  { pkg: bash, files: ['tree-sitter-bash.wasm → tree-sitter-bash.wasm'] },
];
for (const { pkg } of projects)
  copyFileSync(licenceOf(pkg.dir, pkg.manifest.name), join(out, `${pkg.manifest.name}.LICENSE`));

// Each copy must load from here alone: a require left pointing elsewhere would fail only at run time.
const load = createRequire(join(out, 'index.cjs'));
for (const dialect of DIALECTS) {
  const { Parser } = load(join(out, `sql-${dialect}.cjs`));
  const ast = new Parser().astify('SELECT 1', { database: DATABASE[dialect] });
  if (ast === null || typeof ast !== 'object')
    throw new Error(`vendor-parsers: sql-${dialect}.cjs misreads SELECT 1`);
}

const repository = (m) =>
  typeof m.repository === 'string' ? m.repository : (m.repository?.url ?? m.homepage ?? '');
const lines = [
  '# Vendored parser files',
  '',
  "Build output of `@governed-mcp/core` (`scripts/vendor-parsers.mjs`, run by the package's `build`):",
  'the few files of other projects that the SQL and shell detectors load at run time, copied here so',
  'that installing core does not install those projects whole. Do not edit; rebuild instead.',
  '',
  '| project | version | licence | source | files |',
  '|---|---|---|---|---|',
  ...projects.map(
    ({ pkg: { manifest: m }, files }) =>
      `| ${m.name} | ${m.version} | ${m.license} (\`${m.name}.LICENSE\`) | ${repository(m)} | ${files.join('<br>')} |`,
  ),
  '',
  `The dialect builds are copied as they are, except that their one \`require("${BIG_INTEGER}")\` reads`,
  `\`require("./${BIG_INTEGER_FILE}")\`.`,
  '',
];
writeFileSync(join(out, 'README.md'), lines.join('\n'));
process.stderr.write(`vendor-parsers: wrote ${readdirSync(out).length} files to ${out}\n`);
