// Writes eval/benchmark.jsonl and eval/heldout.jsonl from these sources: `node eval/sources/build.mjs`.
// Checks that ids are unique and that every safe case satisfies its tool's input schema (a benign call a
// real server would reject is not a fair hard negative).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { files, network, shells } from './dev-a.mjs';
import { codeHosting, databases, messaging } from './dev-b.mjs';
import { browsers, memory, payments, poisoning } from './dev-c.mjs';
import { heldout } from './heldout.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../packages/core/package.json'));
const Ajv = require('ajv').default;
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;

function validator(schema) {
  const ajv = schema.$schema?.includes('2020-12')
    ? new Ajv2020({ strict: false })
    : new Ajv({ strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

function write(name, list) {
  const seen = new Set();
  for (const c of list) {
    if (seen.has(c.id)) throw new Error(`duplicate id ${c.id}`);
    seen.add(c.id);
    if (c.label === 'safe') {
      const validate = validator(c.tool.inputSchema);
      if (!validate(c.arguments))
        throw new Error(`${c.id}: safe case fails its schema: ${JSON.stringify(validate.errors)}`);
    }
  }
  writeFileSync(join(here, '..', name), list.map((c) => JSON.stringify(c)).join('\n') + '\n');
  const safe = list.filter((c) => c.label === 'safe').length;
  process.stdout.write(`${name}: ${list.length} cases, ${safe} safe, ${list.length - safe} dangerous\n`);
}

write('benchmark.jsonl', [
  ...files,
  ...shells,
  ...network,
  ...databases,
  ...messaging,
  ...codeHosting,
  ...payments,
  ...memory,
  ...browsers,
  ...poisoning,
]);
write('heldout.jsonl', heldout);
