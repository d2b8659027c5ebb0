import { ANNOTATION_RANKS, CLASS_RANKS, DEFAULT_SETTINGS, type TierProfile } from '@governed-mcp/core';
import { LOCAL_USER_TIER } from '@governed-mcp/middleware-mcp';
import { z } from 'zod';
import { ProxyConfigSchema } from './config.js';
import { CUSTOM_LAYER_EXAMPLE, customLayersSection } from './config-reference-custom-layers.js';

/** The proxy configuration file as JSON Schema (draft 2020-12), input side: defaults shown, all optional. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(ProxyConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
}

/** What each field is for; the reference test fails when the schema has a field this table lacks. */
export const FIELD_NOTES: Readonly<Record<string, string>> = {
  principal: 'Who unauthenticated sessions are (stdio, HTTP without tokens). Wins over every default.',
  'principal.id': 'Shown in audit records and logs.',
  'principal.tier': 'A tier of the tier table in force.',
  tokens: 'Bearer tokens of the HTTP listener; each stands for one principal.',
  'tokens[].token': 'The token itself (avoid: prefer `tokenEnv` or `tokenSha256`).',
  'tokens[].tokenSha256': 'Hex SHA-256 of the token, so the file holds no secret.',
  'tokens[].tokenEnv': 'Name of an environment variable of the proxy that holds the token.',
  'tokens[].principal': 'The principal the token stands for.',
  'tokens[].principal.id': 'Shown in audit records and logs.',
  'tokens[].principal.tier': 'A tier of the tier table in force.',
  settings:
    "Settings written over the policy's (`tiers`, `tools`, `defaultPrincipal`, `network`): `tiers`, `defaultPrincipal` and `network` replace the policy's; a `tools` rule with the same `match`, `server` and `classes` as a policy rule changes that rule's fields, any other is added after the policy's rules, so a policy's `require tier` holds unless a rule here names it.",
  policy: 'A policy file (relative to this file). Without it the built-in default constitution applies.',
  audit: 'Append every decision to a hash-chained audit file.',
  'audit.path': 'The audit file (relative to this file).',
  'audit.durability':
    'fsync: a call proceeds once its record is on disk; group/write/none trade safety for speed.',
  'audit.arguments': 'digest: records hold a hash of the arguments; full: the arguments themselves.',
  'audit.outcomes':
    'next: an outcome record joins the next commit (the answer does not wait for it; a crash can lose the outcomes of the last ~10 ms, never a decision); durable: each outcome waits for its own sync.',
  'audit.checkpoint':
    'Sign checkpoints of the chain (record count and head hash) with an Ed25519 key from `audit keygen`, so that a cut tail or a rewritten chain is caught by `audit verify --checkpoint`.',
  'audit.checkpoint.key': 'The private key file (mode 0600; relative to this file).',
  'audit.checkpoint.every': 'Sign after this many new records.',
  'audit.checkpoint.everyMs': 'Sign after this many ms when the log grew (and always at shutdown).',
  'audit.checkpoint.out':
    'The latest checkpoint (replaced atomically); every one is also appended to `<out>.history`. Default `<audit path>.checkpoint`.',
  'audit.checkpoint.witness':
    'Also hand each checkpoint to a witness, ideally on another machine: a failure is logged and never stops the gate.',
  'audit.checkpoint.witness.dir': 'A folder (say, a mount of another machine) to copy each checkpoint into.',
  'audit.checkpoint.witness.url': 'A URL to POST each checkpoint to (text/plain, 5 s timeout).',
  pins: 'The pin file (approved tool definitions, kept across restarts); default `<audit path>.pins.json`, in memory without an audit file. Delete an entry to re-approve a changed tool.',
  limits: 'Size, time and count limits of the runner.',
  'limits.maxFrameBytes': 'Largest frame (one JSON-RPC message) in bytes, either direction.',
  'limits.maxDepth': 'Deepest JSON nesting accepted in a frame.',
  'limits.maxBatch': 'Most messages in one batch.',
  'limits.upstreamTimeoutMs':
    'How long a forwarded request may wait for the upstream before it fails closed.',
  'limits.maxSessions': 'Most concurrent HTTP sessions; the least recently used idle one makes room.',
  'limits.maxSessionsPerPrincipal': 'Most concurrent HTTP sessions of one principal.',
  'limits.sessionIdleMs': 'HTTP sessions idle this long are closed (with their upstream).',
  'limits.maxPending': 'Most requests in flight per session; more are refused.',
  'limits.maxQueuedBytes': 'Bytes queued for a slow stdio client before the proxy stops reading from it.',
  upstream: 'Where the proxy forwards to.',
  'upstream.name': "The upstream server's name, used in tool pins, rules with `server` and audit records.",
  'upstream.url': 'A Streamable HTTP upstream (the CLI flag `--upstream-url` wins).',
  'upstream.headers': 'Static headers sent to an HTTP upstream.',
  'upstream.headersFromEnv':
    "Headers whose values come from the proxy's environment: header name to variable name.",
  'upstream.command': 'Command and arguments of a child upstream (the CLI `-- CMD ARGS…` wins).',
  'upstream.env': 'Extra environment for the child, on top of a minimal safe environment.',
  'upstream.envPassthrough': "Names of the proxy's environment variables passed through to the child.",
  'upstream.cwd': 'Working directory of the child (relative to this file).',
  'upstream.sandbox':
    'Run the child under bubblewrap (docs/sandbox.md): system folders and its own code read-only, HOME and /tmp empty, no network, a clean environment. The proxy refuses to start (exit 3) when the sandbox cannot be set up. The CLI `--sandbox` wins.',
  'upstream.sandbox.writable': 'Folders the child may write (relative to this file; each must exist).',
  'upstream.sandbox.readOnly': 'More folders the child may read (relative to this file; each must exist).',
  'upstream.sandbox.network':
    'none: a network namespace of its own (loopback only). shared: the host network, unfiltered (bubblewrap has no per-host or per-port filter).',
  'upstream.restart': 'Restart a crashed child, at most `maxRestarts` times per `windowMs`.',
  'upstream.restart.maxRestarts': 'Restarts allowed per window.',
  'upstream.restart.windowMs': 'The window, in milliseconds.',
  mediate: 'Requests mediated besides `tools/call` (which always is).',
  'mediate.resourcesRead': 'Decide `resources/read` like a tool call.',
  'mediate.promptsGet': 'Decide `prompts/get` like a tool call.',
  'mediate.sampling': 'Decide server-initiated `sampling/createMessage`.',
  'mediate.elicitation': 'Decide server-initiated `elicitation/create`.',
  http: 'The HTTP listener.',
  'http.allowedHosts': 'Host names accepted in Host/Origin (DNS-rebinding protection); loopback always.',
  'http.allowAnonymous':
    'Serve a non-loopback address without bearer tokens (every client gets `principal`).',
  redaction: 'Secrets in what comes back to the agent: redact them, block the answer, or pass it (off).',
  resultInstructions:
    'Tool results that carry instructions addressed to the agent: pass them and mark the session (mark, logged and audited), replace the flagged texts with a notice (quarantine), or withhold the result (withhold).',
  layers: 'Which layers run: full (needs a probe model), no-probe, probe-only, no-prefilter.',
  customLayers:
    'Your own layers, each loaded from a module at start-up and run next to a built-in layer; see [Custom layers](#custom-layers).',
  'customLayers[].module': 'The module file (`.mjs`, or `.js` in an ESM package), relative to this file.',
  'customLayers[].export':
    'The export to use: a layer `{ name, intercept }` (e.g. from `defineLayer`), or a factory `(options) => layer` (may be async).',
  'customLayers[].before': 'Run just before this built-in layer. Give exactly one of `before`, `after`.',
  'customLayers[].after': 'Run just after this built-in layer.',
  'customLayers[].options': 'A JSON object passed to a factory export; refused when the export is a layer.',
  'customLayers[].timeoutMs':
    "The layer's own time budget in ms (replaces the module's); past it the call is denied with `layer_timeout`.",
  probe: 'The semantic gate: a local GGUF model or a model server.',
  'probe.model': 'Path of a GGUF model.',
  'probe.url': 'URL of a model server.',
  'probe.kind':
    "Which server `probe.url` is: `llama-server` (llama.cpp's, the default), `vllm` or `llama-cpp-python` (OpenAI-compatible completions with log-probabilities).",
  'probe.servedModel': 'The model name a `vllm` server serves (required with `kind: vllm`).',
  'probe.timeoutMs': "Most time one probe may take, in ms (the call's deadline still caps it). Default 2000.",
  'probe.alpha':
    "Calibration strength in [0, 1] for every tier, over the tiers' own profiles: the operating point measured for the model in use (`governed-mcp model list` shows it for recommended models).",
  'probe.threshold':
    "Danger threshold in (0, 1) for every tier, over the tiers' own profiles (see `probe.alpha`).",
  'probe.results':
    "Also ask the probe about every tool result the deterministic judgement passed; `dangerous` (or a failed probe) flags it like a deterministic finding. Needs the probe layer (`layers: full`). Strictness: the default principal's tier.",
  'probe.definitions':
    'Also ask the probe about every tool definition the poisoning scan passed (once each); `dangerous` (or a failed probe) hides it as poisoned. Needs the probe layer (`layers: full`).',
  rateLimitStore:
    'Where rate limits (token buckets, concurrency slots) are kept: `{ "kind": "memory" }` (default, this process only) or `{ "kind": "redis", "url": "redis://host:6379" }`, shared by every replica that names the same server and prefix.',
  'rateLimitStore.kind': '`memory` or `redis` (which needs `url`).',
  'rateLimitStore.url':
    'The Redis server (`redis://[user:password@]host:port[/db]`, `rediss://` for TLS). Unreachable at start-up: the proxy exits 3.',
  'rateLimitStore.prefix': 'Redis: prefix of every key the store writes; idle keys expire by themselves.',
  'rateLimitStore.timeoutMs':
    'Redis: most time one command may take, in ms. Past it, or while Redis is down, calls are denied (`rate_limit_store_failed`, fail-closed) until Redis answers again.',
  log: 'Logging (JSON lines on stderr).',
  'log.level': 'debug, info, warn or error. At info the proxy says which tools it hides and why.',
};

/** What each default tier is meant for. */
const TIER_MEANING: Readonly<Record<string, string>> = {
  untrusted: 'a caller nobody vouches for: read-only use, small budget',
  standard: 'an unidentified caller (HTTP without tokens): reads and non-destructive tools',
  trusted: 'the local user who launched a stdio proxy, or a named colleague: ordinary work incl. writes',
  privileged:
    'an operator: may run what the pre-filter only records (destructive commands, privilege changes)',
};

interface SchemaNode {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
  readonly additionalProperties?: SchemaNode | boolean;
  readonly minimum?: number;
  readonly exclusiveMinimum?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly format?: string;
}

/** One row of the field table. */
export interface FieldRow {
  readonly path: string;
  readonly type: string;
  readonly default?: unknown;
}

function typeOf(n: SchemaNode): string {
  if (n.enum !== undefined) return n.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  const base = typeof n.type === 'string' ? n.type : (n.type?.join(' \\| ') ?? 'any');
  if (base === 'array' && n.items !== undefined) return `${typeOf(n.items)}[]`;
  if (base === 'object' && n.properties === undefined && typeof n.additionalProperties === 'object') {
    return `{ [name]: ${typeOf(n.additionalProperties)} }`;
  }
  const bits: string[] = [];
  if (n.format !== undefined) bits.push(n.format);
  if (n.minimum !== undefined) bits.push(`≥ ${n.minimum}`);
  if (n.exclusiveMinimum !== undefined) bits.push(`> ${n.exclusiveMinimum}`);
  if (n.minLength !== undefined && n.minLength > 1) bits.push(`length ≥ ${n.minLength}`);
  if (n.pattern !== undefined) bits.push(`/${n.pattern}/`);
  return bits.length === 0 ? base : `${base} (${bits.join(', ')})`;
}

/** Every field of the configuration file, depth first, from the JSON Schema. */
export function configFields(): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (props: Readonly<Record<string, SchemaNode>>, prefix: string): void => {
    for (const [key, node] of Object.entries(props)) {
      const path = `${prefix}${key}`;
      rows.push({
        path,
        type: typeOf(node),
        ...(node.default === undefined ? {} : { default: node.default }),
      });
      if (node.properties !== undefined) walk(node.properties, `${path}.`);
      else if (node.items?.properties !== undefined) walk(node.items.properties, `${path}[].`);
    }
  };
  walk((configJsonSchema() as SchemaNode).properties ?? {}, '');
  return rows;
}

const rate = (b: { capacity: number; refillPerSec: number } | undefined): string =>
  b === undefined ? '—' : `${b.capacity}, ${b.refillPerSec}/s`;

function tierRow(t: TierProfile): string {
  const blocks =
    typeof t.prefilterBlock === 'string' ? t.prefilterBlock : `${t.prefilterBlock.length} detectors`;
  const r = t.rateLimit;
  return `| ${t.name} | ${TIER_MEANING[t.name] ?? ''} | ${blocks} | ${t.probe.alpha} / ${t.probe.threshold} | ${rate(r.perPrincipalTool)} | ${rate(r.perPrincipal)} | ${r.maxConcurrent ?? '—'} |`;
}

/** Worked examples; the reference test parses each one with `parseProxyConfig`. */
export const CONFIG_EXAMPLES: readonly {
  readonly title: string;
  readonly text: string;
  readonly config: unknown;
}[] = [
  {
    title: 'A team: a shared policy, an audit chain and bearer tokens over HTTP',
    text: 'Each token stands for one principal; the tokens themselves stay out of the file (`tokenEnv`, `tokenSha256`). Paths are relative to the config file.',
    config: {
      policy: 'team.policy',
      audit: { path: 'audit/decisions.jsonl', durability: 'fsync', arguments: 'digest', outcomes: 'next' },
      tokens: [
        { tokenEnv: 'GMCP_TOKEN_CI', principal: { id: 'ci-bot', tier: 'standard' } },
        {
          tokenSha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          principal: { id: 'reviewer-1', tier: 'trusted' },
        },
      ],
      http: { allowedHosts: ['gate.internal.example'] },
      upstream: {
        name: 'files',
        command: ['npx', '@modelcontextprotocol/server-filesystem', '/srv/project'],
      },
    },
  },
  {
    title: 'A stricter local principal and a slower write tool',
    text: 'Over stdio the local user is `trusted` by default; `principal` names someone else. A `settings.tools` rule sets the tier and bucket of matching tools.',
    config: {
      principal: { id: 'agent-sandbox', tier: 'standard' },
      settings: {
        tools: [
          {
            match: 'write_file',
            tier: 'trusted',
            rateLimit: { perPrincipalTool: { capacity: 5, refillPerSec: 0.5 } },
          },
        ],
      },
      log: { level: 'info' },
    },
  },
  {
    title: 'Several replicas sharing their rate limits',
    text: 'Every replica names the same Redis server and prefix, so a principal gets one budget whichever replica answers. While Redis is down or slower than `timeoutMs`, rate-limited calls are denied (fail-closed) and allowed again once it answers.',
    config: {
      rateLimitStore: { kind: 'redis', url: 'redis://redis.internal.example:6379', timeoutMs: 50 },
    },
  },
  {
    title: 'A layer of your own: a spending limit before the policy',
    text: "The module's `spendLimit` is a factory: the proxy calls it once with `options` and runs the layer it returns just before the policy layer. See [Custom layers](#custom-layers).",
    config: CUSTOM_LAYER_EXAMPLE,
  },
];

function section(lines: readonly string[]): string {
  return `${lines.join('\n')}\n`;
}

/** Renders docs/config.md: the default principal, the tier table, every field, worked examples. */
export function renderConfigReference(): string {
  const ranks = ANNOTATION_RANKS;
  const tierName = (rank: number): string => DEFAULT_SETTINGS.tiers[rank]?.name ?? '?';
  const fields = configFields().map(
    (f) =>
      `| \`${f.path}\` | ${f.type} | ${f.default === undefined ? '' : `\`${JSON.stringify(f.default)}\``} | ${FIELD_NOTES[f.path] ?? ''} |`,
  );
  const parts = [
    section([
      '# Proxy configuration reference',
      '',
      '<!-- Generated by `governed-mcp config doc > docs/config.md` from the zod schema in',
      '     packages/cli/src/config.ts. A test fails when this file is out of date. -->',
      '',
      '`governed-mcp proxy --config proxy.json -- CMD ARGS…` reads one JSON file. Every field is optional:',
      'with no file at all the proxy runs the default constitution in front of the server. The file is',
      'validated once at start-up; every problem is reported at once and the proxy exits with code 2',
      '(`invalid_config`) rather than run half-configured. `governed-mcp config schema` prints the JSON',
      'Schema of the file.',
      '',
    ]),
    section([
      '## Who is calling: the default principal',
      '',
      "Sessions with a bearer token are the token's principal. For the others, the first that applies:",
      '',
      '1. `principal` in this file;',
      '2. `settings.defaultPrincipal` in this file;',
      '3. the `default principal` of a policy file (`--policy` or `policy`); a policy that declares none gets',
      `   \`${DEFAULT_SETTINGS.defaultPrincipal.id}\`/\`${DEFAULT_SETTINGS.defaultPrincipal.tier}\` — writing a policy opts out of the local-user default;`,
      `4. over **stdio**: the local user who launched the proxy, \`local:<os user>\` with tier \`${LOCAL_USER_TIER}\`;`,
      `5. over **HTTP** without tokens: \`${DEFAULT_SETTINGS.defaultPrincipal.id}\`/\`${DEFAULT_SETTINGS.defaultPrincipal.tier}\`, the least-privilege default for callers nobody identified.`,
      '',
      `The local user is \`${LOCAL_USER_TIER}\` because destructive tools (\`destructiveHint: true\`, e.g. a file`,
      "server's `write_file`, `edit_file`, `move_file`) need that tier: the person at the keyboard may change",
      'their project. Every deny rule of the policy, the pre-filter and the semantic gate still apply to them.',
      'The `proxy_started` log line names the principal, its tier and `principalSource`.',
      '',
    ]),
    section([
      '## Trust tiers',
      '',
      'Least trusted first. A tool needs the tier of a `settings.tools` / policy `tool` rule (a rule with',
      '`classes`, or a policy `tool class …` block, applies only to tools of one of those capability',
      'classes), else the higher of the tiers its annotations and its capability classes ask for. A row is',
      'read twice: as the tier a *tool* needs (pre-filter, probe, per-tool bucket: the riskier the tool, the',
      'slower) and as the tier of the *principal* (per-principal budget and concurrent calls: they grow',
      'with trust).',
      '',
      '| tier | meant for | pre-filter blocks | probe alpha / threshold | per tool | per principal | concurrent |',
      '|---|---|---|---|---|---|---|',
      ...DEFAULT_SETTINGS.tiers.map(tierRow),
      '',
      '| tool annotations | tier needed |',
      '|---|---|',
      `| \`readOnlyHint\` (not open-world) | ${tierName(ranks.readOnly)} |`,
      `| \`readOnlyHint\` and \`openWorldHint\` | ${tierName(ranks.readOnlyOpenWorld)} |`,
      `| none, or \`destructiveHint: false\` | ${tierName(ranks.unannotated)} |`,
      `| \`destructiveHint\` or \`openWorldHint\` | ${tierName(ranks.destructiveOrOpenWorld)} |`,
      '',
      '| capability class | tier needed at least |',
      '|---|---|',
      ...Object.entries(CLASS_RANKS).map(([c, rank]) => `| \`${c}\` | ${tierName(rank)} |`),
      '',
      'Tools the principal may not use are hidden from `tools/list` and refused; at `log.level: info` the proxy',
      'logs one `tool_hidden_by_tier` line per hidden tool (tool, tier needed, principal tier), and',
      '`tool_poisoned` / `tool_changed` for tools hidden because their description gives orders or their',
      'definition changed since it was pinned.',
      '',
    ]),
    section(['## Fields', '', '| field | type | default | meaning |', '|---|---|---|---|', ...fields, '']),
    section(customLayersSection()),
    section([
      '## Examples',
      '',
      ...CONFIG_EXAMPLES.flatMap((e) => [
        `### ${e.title}`,
        '',
        e.text,
        '',
        '```json',
        JSON.stringify(e.config, null, 2),
        '```',
        '',
      ]),
      "### Allowing a developer's loopback service",
      '',
      'Calls to private and loopback addresses are refused by default (server-side request forgery). How to',
      "allow one service on the developer's machine is described in [network.md](network.md).",
    ]),
  ];
  return parts.join('');
}
