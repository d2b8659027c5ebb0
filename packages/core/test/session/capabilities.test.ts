import { describe, expect, it } from 'vitest';
import {
  CAPABILITY_CLASSES,
  type CapabilityClass,
  classifyTool,
  requestedClasses,
  type ToolDefinition,
} from '../../src/index.js';

const tool = (name: string, description = '', extra: Partial<ToolDefinition> = {}): ToolDefinition => ({
  name,
  description,
  inputSchema: { type: 'object', properties: {} },
  ...extra,
});
/** The specific classes (every writing tool also has `changes-state`, asserted on its own below). */
const classes = (
  name: string,
  description = '',
  extra: Partial<ToolDefinition> = {},
): readonly CapabilityClass[] =>
  classifyTool(tool(name, description, extra)).filter((c) => c !== 'changes-state');
const changesState = (name: string, description = '', extra: Partial<ToolDefinition> = {}): boolean =>
  classifyTool(tool(name, description, extra)).includes('changes-state');

describe('classifyTool', () => {
  it('classes names spelled with lookalike letters, full-width forms or invisible characters alike', () => {
    expect(classes('stripe/\u0440ayment_create')).toContain('moves-money');
    expect(classes('send_m\u043eney')).toEqual(['moves-money']);
    expect(classes('\uff53\uff45\uff4e\uff44_money')).toEqual(['moves-money']);
    expect(classes('delete\u200b_file')).toContain('deletes');
    expect(classes('Upd\u0430tePassword')).toContain('changes-access');
  });

  it('reads the acts a text asks for, and none from prohibitions or vague verbs', () => {
    expect(requestedClasses('Please grant permanent access to my friend (guest_a01).')).toContain(
      'changes-access',
    );
    expect(requestedClasses('Wire $3,000 from my checking account to 12-3456.')).toContain('moves-money');
    expect(requestedClasses('Please dispatch a van to 12 Main St.')).toEqual(['changes-state']);
    expect(requestedClasses('Summarise the document. Do not invent facts. Never share it.')).toEqual([]);
    expect(requestedClasses('Use the notes below and do your best.')).toEqual([]);
  });

  it('gives changes-state to every tool that is not a pure read, and to no read', () => {
    for (const name of ['send_money', 'write_file', 'run_command', 'delete_file', 'update_password'])
      expect(changesState(name), name).toBe(true);
    // Tools that act on things the specific classes do not name: devices, records, shipments, files.
    for (const name of [
      'RobotGoToRoom',
      'DeviceScheduleAction',
      'ShipmentManage',
      'MoveItem',
      'UpdateRecord',
    ])
      expect(changesState(name), name).toBe(true);
    expect(changesState('records', 'Creates a record in the registry.')).toBe(true);
    for (const name of ['read_file', 'get_balance', 'list_directory', 'search_web', 'get_webpage'])
      expect(changesState(name), name).toBe(false);
    // A read-only hint cannot take it from a name that writes.
    expect(changesState('update_settings', '', { annotations: { readOnlyHint: true } })).toBe(true);
  });

  it('classes ordinary filesystem, shell and git tools by what they do', () => {
    expect(classes('read_file', 'Read a file.')).toEqual(['reads-untrusted']);
    expect(classes('delete_file')).toContain('deletes');
    expect(classes('run_command', 'Run a shell command.')).toEqual(['executes-code']);
    expect(classes('TerminalExecute', 'Execute a terminal command.')).toEqual(['executes-code']);
    expect(classes('git_push', 'Push a branch to a remote.')).toEqual(['sends-outside']);
    expect(classes('list_directory')).toEqual(['reads-untrusted']);
  });

  it('classes mail, chat and browser tools: reading is not sending', () => {
    expect(classes('read_inbox', 'Read the messages in the inbox.')).toEqual([
      'reads-sensitive',
      'reads-untrusted',
    ]);
    expect(classes('send_email', 'Send an email.')).toEqual(['sends-outside']);
    expect(classes('send_direct_message')).toEqual(['sends-outside']);
    expect(classes('get_webpage', 'Returns the content of the webpage at a URL.')).toEqual([
      'reads-untrusted',
    ]);
    expect(classes('post_webpage', 'Posts a webpage.')).toEqual(['sends-outside']);
    expect(classes('get_posts')).not.toContain('sends-outside');
    expect(classes('browser_navigate')).toEqual(['reads-untrusted']);
  });

  it('classes payments: reading a balance moves no money, scheduling a transaction does', () => {
    expect(classes('get_balance', 'Get the balance of the account.')).toEqual(['reads-sensitive']);
    expect(classes('schedule_transaction', 'Schedule a transaction.')).toEqual(['moves-money']);
    expect(classes('send_money', 'Sends a transaction.')).toEqual(['moves-money']);
    expect(classes('BankManagerTransferFunds')).toEqual(['moves-money']);
    expect(classes('search_transactions')).toEqual(['reads-sensitive']);
  });

  it('classes changes to credentials, second factors, guests and membership as changes-access', () => {
    for (const name of [
      'update_password',
      'DisableTwoFactorAuthentication',
      'GrantGuestAccess',
      'invite_user',
      'add_user_to_channel',
      'set_user_mfa',
    ]) {
      expect(classes(name), name).toContain('changes-access');
    }
    expect(classes('remove_user')).toEqual(['changes-access', 'deletes']);
    // The account's own details are how it is recovered.
    expect(classes('update_user_info')).toContain('changes-access');
  });

  it('classes database tools: a query reads, a dropped table deletes', () => {
    expect(classes('drop_table')).toContain('deletes');
    expect(classes('execute_sql', 'Execute a SQL statement.')).toContain('executes-code');
    expect(classes('list_tables')).not.toContain('deletes');
  });

  it('lets the description speak for a name without a verb', () => {
    expect(classes('mailer', 'Send an email to a recipient.')).toEqual(['sends-outside']);
    expect(classes('records', 'List, create, update and delete patient records.')).toContain('deletes');
  });

  it('infers classes from the schema: a command to run, an IBAN and an amount, a recipient and a body', () => {
    const schema = (props: string[]): ToolDefinition['inputSchema'] => ({
      type: 'object',
      properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])),
    });
    const of = (d: ToolDefinition) => classifyTool(d).filter((c) => c !== 'changes-state');
    expect(of({ name: 'x1', inputSchema: schema(['command']) })).toEqual(['executes-code']);
    expect(of({ name: 'x2', inputSchema: schema(['iban', 'amount']) })).toEqual(['moves-money']);
    expect(of({ name: 'x3', inputSchema: schema(['to', 'body']) })).toEqual(['sends-outside']);
    // A reading tool's schema only says what it reads.
    expect(classifyTool({ name: 'search_mail', inputSchema: schema(['to', 'body']) })).not.toContain(
      'sends-outside',
    );
  });

  it('never lets readOnlyHint remove a class the name carries', () => {
    const readOnly = { annotations: { readOnlyHint: true } };
    expect(classes('delete_everything', '', readOnly)).toContain('deletes');
    expect(classes('send_money', '', readOnly)).toContain('moves-money');
    const hinted = classifyTool({
      name: 'lookup',
      inputSchema: { type: 'object', properties: { command: { type: 'string' } } },
      annotations: { readOnlyHint: true },
    });
    expect(hinted).not.toContain('executes-code');
  });

  it('adds deletes for destructiveHint only when no other write class explains it', () => {
    expect(classes('frobnicate', '', { annotations: { destructiveHint: true } })).toEqual(['deletes']);
    expect(classes('send_email', '', { annotations: { destructiveHint: true } })).toEqual(['sends-outside']);
  });

  it('returns classes in CAPABILITY_CLASSES order, the same every time', () => {
    const def = tool('NortonIdentitySafeSharePassword', 'Share a stored password.');
    const first = classifyTool(def);
    expect(classifyTool(def)).toEqual(first);
    const order = first.map((c) => CAPABILITY_CLASSES.indexOf(c));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('stays bounded on hostile definitions: 100 KB descriptions, huge and deep schemas', () => {
    let deep: ToolDefinition['inputSchema'] = { type: 'string' };
    for (let i = 0; i < 5_000; i++) deep = { type: 'object', properties: { [`p${i}`]: deep } };
    const wide = Object.fromEntries(
      Array.from({ length: 20_000 }, (_, i) => [`field_${i}`, { type: 'string' }]),
    );
    const start = performance.now();
    classifyTool({ name: 'a'.repeat(100_000), description: 'send '.repeat(20_000), inputSchema: deep });
    classifyTool({ name: 'SendSendSend'.repeat(10_000), inputSchema: { type: 'object', properties: wide } });
    classifyTool({
      name: 'x',
      description: 'aA1_'.repeat(25_000),
      inputSchema: { properties: 'not an object' },
    });
    expect(performance.now() - start).toBeLessThan(1_000);
  });

  it('does not throw on a definition with the wrong types', () => {
    const bad = { name: 42, description: {}, inputSchema: null } as unknown as ToolDefinition;
    expect(classifyTool(bad)).toEqual([]);
  });
});
