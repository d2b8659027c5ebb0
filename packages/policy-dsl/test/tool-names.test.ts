import { createTierTable, DEFAULT_SETTINGS, parseSettings } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { defaultPolicy, PolicyErrorCode } from '../src/index.js';
import { callOf, fires, policyOf, problems, ruleOf } from './helpers.js';

const constitution = defaultPolicy();

/** (glob, name, matches): the tier table and the policy must both give `matches`. */
const table: Array<[glob: string, name: string, matches: boolean]> = [
  ['*payment*', 'stripe/payment_create', true],
  ['*payment*', 'Stripe.PaymentCreate', true],
  ['*payment*', 'PAYMENT', true],
  ['*payment*', 'list_invoices', false],
  ['run_shell', 'RunShell', true],
  ['run_shell', 'runShell', true],
  ['run_shell', 'RUN-SHELL', true],
  ['run_shell', 'run.shell', true],
  ['run_shell', 'run_shell  ', true],
  ['run_shell', 'ｒｕｎ_ｓｈｅｌｌ', true],
  ['run_shell', 'run_\u0455hell', true],
  ['run_shell', 'run\u200b_shell', true],
  ['run_shell', 'run_shells', false],
  ['run_shell', 'prerun_shell', false],
  ['github.*', 'github/create_pull_request', true],
  ['github.*', 'GitHub__CreatePullRequest', true],
  ['github.*', 'gitlab.create_pull_request', false],
  ['*write_file', 'mcp__srv__write_file', true],
  ['*write_file', 'mcp__srv__WriteFile', true],
  ['*write_file', 'mcp__srv__write_file_backup', false],
  ['{bash,zsh}', 'ZSH', true],
  ['{bash,zsh}', 'fish', false],
  ['run?shell', 'run_shell', true],
  ['run?shell', 'RunXShell', true],
  ['run?shell', 'runXYshell', false],
  ['tool[0-9]', 'TOOL_7', true],
  ['tool[0-9]', 'tool_x', false],
];

function tierTableMatches(glob: string, name: string): boolean {
  const t = createTierTable(
    parseSettings({ ...DEFAULT_SETTINGS, tools: [{ match: glob, tier: 'privileged' }] }),
  );
  const r = t.resolve(callOf(name));
  return r.ok && r.fact.requiredTier === 'privileged';
}

describe('tool names: one glob engine and one matching rule', () => {
  it.each(table)(
    'the tier table and the policy agree on glob "%s" and name %j (%s)',
    (glob, name, matches) => {
      const policy = policyOf(`default allow\ndeny r\n  when tool glob "${glob}"\n  reason "x"\nend\n`);
      expect(fires(policy, callOf(name))).toBe(matches);
      expect(tierTableMatches(glob, name)).toBe(matches);
    },
  );

  it.each(table)('a policy tool block "%s" sets the tier of %j (%s)', (glob, name, matches) => {
    const policy = policyOf(`default allow\ntool "${glob}"\n  require tier privileged\nend\n`);
    const r = createTierTable(policy.settings).resolve(callOf(name));
    expect(r.ok && r.fact.requiredTier === 'privileged').toBe(matches);
  });
});

describe('tool names in conditions', () => {
  const cases: Array<[when: string, name: string, fires: boolean]> = [
    ['tool == "write_file"', 'WriteFile', true],
    ['tool == "write_file"', 'WRITE-FILE', true],
    ['tool == "write_file"', 'ｗｒｉｔｅ＿ｆｉｌｅ', true],
    ['tool == "write_file"', 'wr\u200bite_file', true],
    ['tool == "write_file"', 'write_files', false],
    ['tool == "write_file"', 'rewrite_file', false],
    ['tool == "WriteFile"', 'write_file', true],
    ['tool in ["run_shell", "bash"]', 'RunShell', true],
    ['tool in ["run_shell", "bash"]', 'Bash', true],
    ['tool in ["run_shell", "bash"]', 'bаsh', true],
    ['tool in ["run_shell", "bash"]', 'bashful', false],
    ['tool != "read_file"', 'ReadFile', false],
    ['tool not in ["read_file"]', 'READ_FILE', false],
    ['tool startswith "mcp__github__"', 'mcp__GitHub__create_issue', true],
    ['tool startswith "mcp__github__"', 'mcp.github.CreateIssue', true],
    ['tool startswith "read"', 'thread_read', false],
    ['tool endswith "_file"', 'WriteFile', true],
    ['tool endswith "_file"', 'file_list', false],
    ['tool contains "shell"', 'ＳＨＥＬＬ_run', true],
    ['tool contains "shell"', 'Run-Sh\u200bell', true],
    ['tool contains "shell"', 'list_shelves', false],
    ['server == "prod_db"', 'x', false],
  ];
  it.each(cases)('`%s` for %j is %s', (when, name, expected) => {
    expect(fires(ruleOf('deny', when), callOf(name))).toBe(expected);
  });

  it('reads server names by the same rule', () => {
    const rule = ruleOf('deny', 'server == "prod_db"');
    for (const server of ['prod_db', 'ProdDb', 'PROD-DB', 'prod.db']) {
      expect(fires(rule, callOf('query', {}, 'standard', { server }))).toBe(true);
    }
    expect(fires(rule, callOf('query', {}, 'standard', { server: 'staging_db' }))).toBe(false);
    expect(
      fires(ruleOf('deny', 'server glob "prod*"'), callOf('q', {}, 'standard', { server: 'Prod.EU' })),
    ).toBe(true);
  });

  it('indexes rules by the canonical name, so the index never skips a spelling', () => {
    const policy = policyOf(
      'default allow\ndeny no-write\n  when tool in ["write_file", "edit_file"]\n  reason "x"\nend\n' +
        'allow reads\n  when tool == "read_file"\n  reason "y"\nend\n',
    );
    for (const name of ['WriteFile', 'write-file', 'EDIT.FILE', 'ｅｄｉｔ_file']) {
      expect(policy.match(callOf(name))).toMatchObject({ decision: 'deny', rule: 'no-write' });
    }
    expect(policy.match(callOf('ReadFile'))).toMatchObject({ decision: 'allow', rule: 'reads' });
    expect(policy.match(callOf('list_dir')).decision).toBe('default');
  });

  it('keeps the original name in explanations and decisions', () => {
    const policy = ruleOf('deny', 'tool == "write_file"');
    const call = callOf('WriteFile');
    expect(policy.explain(call).matched.map((r) => r.name)).toEqual(['r']);
    expect(call.tool.name).toBe('WriteFile');
  });

  it('reports a tool block glob that cannot compile', () => {
    const found = problems('default allow\ntool "[z-a]"\n  require tier trusted\nend\n');
    expect(found.map((d) => d.code)).toContain(PolicyErrorCode.InvalidGlob);
  });
});

describe('the default constitution meets every spelling of a tool name', () => {
  const shell = [
    'Bash',
    'RunShell',
    'ExecuteCommand',
    'BASH',
    'run-shell',
    'Ｂａｓｈ',
    'bаsh',
    'ba\u200bsh',
    'Shell.Exec',
  ];
  const rm = { command: 'rm -rf / --no-preserve-root' };
  it.each(shell)('stops a destructive command sent to %j by the rule that stops it for bash', (name) => {
    const plain = constitution.match(callOf('bash', rm));
    expect(plain).toMatchObject({ decision: 'deny', rule: expect.any(String) });
    expect(plain.failure).toBeUndefined();
    expect(constitution.match(callOf(name, rm))).toEqual(plain);
  });

  const writers = [
    'WriteFile',
    'writeFile',
    'WRITE_FILE',
    'EditFile',
    'mcp__fs__WriteFile',
    'ｗｒｉｔｅ_file',
  ];
  const cron = { path: '/etc/cron.d/x', content: '* * * * * root sh' };
  it.each(writers)('stops %j from writing a cron file by the rule that stops write_file', (name) => {
    const plain = constitution.match(callOf('write_file', cron));
    expect(plain).toMatchObject({ decision: 'deny', rule: expect.any(String) });
    expect(plain.failure).toBeUndefined();
    expect(constitution.match(callOf(name, cron))).toEqual(plain);
  });

  const twins: Array<[plain: string, spelled: string, args: Record<string, unknown>]> = [
    ['list_invoices', 'ListInvoices', {}],
    ['create_payment', 'Stripe.CreatePayment', { amount: 100, currency: 'usd' }],
    ['http_request', 'HttpRequest', { url: 'http://10.0.0.12/metrics' }],
    ['execute_sql', 'ExecuteSQL', { sql: 'DROP TABLE users;' }],
    ['delete_repository', 'github/DeleteRepository', { owner: 'acme', repo: 'app' }],
  ];
  it.each(twins)('decides %j and %j alike', (plain, spelled, args) => {
    const expected = constitution.match(callOf(plain, args));
    expect(expected).toMatchObject({ decision: 'deny', rule: expect.any(String) });
    expect(constitution.match(callOf(spelled, args))).toEqual(expected);
  });

  it.each([
    'stripe/payment_create',
    'Stripe.PaymentCreate',
    'STRIPE::PAYMENT_CREATE',
    'stripe/рayment_create',
  ])('requires tier trusted for %j', (name) => {
    const r = createTierTable(constitution.settings).resolve(callOf(name, {}, 'standard'));
    expect(r.ok && r.fact.requiredTier).toBe('trusted');
  });

  const benign: Array<[string, Record<string, unknown>]> = [
    ['ListDirectory', { path: '/home/dev/project' }],
    ['SearchFiles', { path: '/home/dev/project', pattern: '*.test.ts' }],
    ['ReadFile', { path: '/home/dev/project/src/index.ts' }],
    ['WriteFile', { path: '/home/dev/project/src/app.ts', content: 'export const x = 1;\n' }],
    ['RunCommand', { command: 'npm test' }],
    ['ExecuteCommand', { command: 'git status' }],
    ['GetWeather', { city: 'Oslo' }],
    ['github.create_pull_request', { title: 'Fix login', body: 'Fixes #12.' }],
  ];
  it.each(benign)('lets ordinary work through: %s %j', (name, args) => {
    expect(constitution.match(callOf(name, args)).decision).toBe('default');
  });

  it.each(['list_invoices', 'get_balance', 'read_file', 'GetWeather'])(
    'does not raise the tier of %j',
    (name) => {
      const r = createTierTable(constitution.settings).resolve(callOf(name));
      expect(r.ok && r.fact.requiredTier).toBe('standard');
    },
  );
});
