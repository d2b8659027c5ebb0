import { describe, expect, it } from 'vitest';
import { createTierTable, DEFAULT_SETTINGS, parseSettings, type ToolRule } from '../../src/index.js';
import { callFacts } from '../../src/layers/prefilter/scan.js';
import { makeCall } from '../layers/call-builder.js';

/**
 * The tier a `standard` principal's call to `name` (on `server`) requires under `rules`. The call says
 * its tool has no capability classes, so only the name decides which rules apply.
 */
function requiredTier(rules: ToolRule[], name: string, server?: string): string {
  const table = createTierTable(parseSettings({ ...DEFAULT_SETTINGS, tools: rules }));
  const r = table.resolve({
    ...makeCall({}, server === undefined ? { tool: { name } } : { tool: { name }, server }),
    capabilities: [],
  });
  if (!r.ok) throw new Error(r.detail);
  return r.fact.requiredTier;
}

/** Spellings of one tool name an adaptive caller might try; each must meet the rule written for the first. */
const spellings: Array<[glob: string, names: string[]]> = [
  [
    'run_shell',
    [
      'RunShell',
      'runShell',
      'RUN_SHELL',
      'run-shell',
      'run.shell',
      'run:shell',
      'run shell',
      'runshell',
      'run_shell ',
      'run__shell',
      'ｒｕｎ＿ｓｈｅｌｌ',
      'Ｒｕｎ Ｓｈｅｌｌ',
      'run_sh\u200bell',
      'run\u2060_shell',
      'run_\u0455hell',
      'ru\u00adn_shell',
    ],
  ],
  [
    '*payment*',
    ['stripe/payment_create', 'Stripe.PaymentCreate', 'stripe::PAYMENT::create', 'рayment_create'],
  ],
  ['*write_file*', ['mcp__srv__write_file', 'mcp__srv__WriteFile', 'fs/Write-File', 'WRITEFILE']],
  ['github/*', ['github.create_pull_request', 'GitHub/CreatePullRequest', 'github__create_issue']],
  ['bash', ['Bash', 'BASH', 'ＢＡＳＨ', 'bаsh', 'ba\u200dsh']],
];

/** Names a rule must not meet: the rule is about other tools. */
const others: Array<[glob: string, names: string[]]> = [
  ['*payment*', ['list_invoices', 'get_balance', 'pay_history']],
  ['run_shell', ['run_shells', 'rerun_shell', 'run_shell_history', 'shell_run']],
  ['bash', ['bashful', 'abash', 'bash_history']],
  ['github/*', ['gitlab/create_issue', 'list_github']],
  ['*write_file*', ['read_file', 'write_dir']],
];

describe('tool names in the tier table', () => {
  it.each(spellings.flatMap(([glob, names]) => names.map((n) => [glob, n] as const)))(
    'a rule for "%s" applies to the spelling %j',
    (glob, name) => {
      expect(requiredTier([{ match: glob, tier: 'privileged' }], name)).toBe('privileged');
    },
  );

  it.each(others.flatMap(([glob, names]) => names.map((n) => [glob, n] as const)))(
    'a rule for "%s" leaves %j alone',
    (glob, name) => {
      expect(requiredTier([{ match: glob, tier: 'privileged' }], name)).toBe('standard');
    },
  );

  it('reads server globs by the same rule as tool names', () => {
    const rules: ToolRule[] = [{ match: 'deploy', server: 'prod_cluster', tier: 'privileged' }];
    for (const server of [
      'prod_cluster',
      'ProdCluster',
      'PROD-CLUSTER',
      'prod.cluster',
      'ｐｒｏｄ_cluster',
    ]) {
      expect(requiredTier(rules, 'Deploy', server)).toBe('privileged');
    }
    expect(requiredTier(rules, 'deploy', 'staging_cluster')).toBe('standard');
    expect(requiredTier(rules, 'deploy')).toBe('standard');
  });

  it('keeps the original name in the rate-limit bucket key', () => {
    const table = createTierTable(
      parseSettings({
        ...DEFAULT_SETTINGS,
        tools: [{ match: '*', rateLimit: { perPrincipalTool: { capacity: 1, refillPerSec: 1 } } }],
      }),
    );
    const r = table.resolve(makeCall({}, { tool: { name: 'Run-Shell' } }));
    expect(r.ok && r.fact.profile.rateLimit.buckets[0]?.key).toContain('Run-Shell');
  });
});

describe('tool names in the pre-filter', () => {
  const families: string[][] = [
    [
      'execute_command',
      'ExecuteCommand',
      'executeCommand',
      'EXECUTE-COMMAND',
      'ｅｘｅｃｕｔｅ_command',
      'ex\u200becute_command',
    ],
    ['bash', 'Bash', 'ＢＡＳＨ', 'bаsh', 'ba\u200bsh'],
    ['run_sql', 'RunSql', 'RUN.SQL', 'run_ѕql'],
    ['read_file', 'ReadFile', 'readFile', 'READ_FILE', 'read-file', 'Read.File'],
    ['write_file', 'WriteFile', 'writeFile', 'WRITE_FILE', 'write.file'],
    ['query_db', 'QueryDb', 'query-DB', 'QUERY_DB'],
  ];
  it.each(families.flatMap((f) => f.slice(1).map((n) => [n, f[0]!] as const)))(
    'classifies %j as it classifies %j',
    (name, plain) => {
      const { tool: a, ...spelled } = callFacts({ name, inputSchema: { type: 'object' } });
      const { tool: b, ...canonical } = callFacts({ name: plain, inputSchema: { type: 'object' } });
      expect(spelled).toEqual(canonical);
      expect(a).toBe(b);
    },
  );

  it('classifies shell, query and writer tools by their names', () => {
    const facts = (name: string) => callFacts({ name, inputSchema: { type: 'object' } });
    expect(facts('ExecuteCommand').shell).toBe(true);
    expect(facts('Ｂａｓｈ').shell).toBe(true);
    expect(facts('RunSql').sqlTool).toBe(true);
    expect(facts('db_exec').sqlTool).toBe(true);
    expect(facts('WriteFile').writes).toBe(true);
    expect(facts('ReadFile').writes).toBe(false);
  });

  it('does not read a reader or a query tool into ordinary names', () => {
    const facts = (name: string) => callFacts({ name, inputSchema: { type: 'object' } });
    expect(facts('readiness_update').writes).toBe(true);
    expect(facts('feedback_form').sqlTool).toBe(false);
    expect(facts('list_invoices').shell).toBe(false);
    expect(facts('get_weather').sqlTool).toBe(false);
  });
});
