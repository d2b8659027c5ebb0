import { mkdtempSync, realpathSync } from 'node:fs';
import { link, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CallContext,
  createPipeline,
  type Decision,
  defineLayer,
  PATH_FACT,
  type PathFact,
  type ToolCall,
} from '../../src/index.js';
import { createPathLayer, resolveOnDisk } from '../../src/node.js';
import { makeCall } from '../layers/call-builder.js';

// Calls are built when the tests are collected, so the directory names exist before `beforeAll`.
const root = realpathSync(mkdtempSync(join(tmpdir(), 'paths-')));
const home = join(root, 'home', 'u');
const project = join(home, 'project');
const gateDir = join(home, 'gate');
const policy = join(project, 'team.policy');
const audit = join(gateDir, 'audit.jsonl');

beforeAll(async () => {
  await mkdir(join(home, '.ssh'), { recursive: true });
  await mkdir(project, { recursive: true });
  await mkdir(gateDir, { recursive: true });
  await writeFile(policy, 'default deny\n');
  await writeFile(audit, '');
  await writeFile(join(project, 'README.md'), '# readme\n');
  await symlink(join(home, '.ssh'), join(home, 'notes'));
  await symlink(join(home, 'later'), join(home, 'dangling'));
  await link(policy, join(project, 'notes.txt'));
  await symlink(join(root, 'loop-b'), join(root, 'loop-a'));
  await symlink(join(root, 'loop-a'), join(root, 'loop-b'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function gate(onDisk = true) {
  const box: { fact: PathFact | undefined } = { fact: undefined };
  const probe = defineLayer('probe', async (ctx: CallContext) => {
    box.fact = ctx.get(PATH_FACT);
    return { outcome: 'allow', reasons: [] };
  });
  const layer = createPathLayer({
    env: { home, cwd: project, user: 'u' },
    resolveOnDisk: onDisk,
    protectedFiles: [policy, audit, join(gateDir, 'audit.jsonl.lock'), join(gateDir, 'pins.json')],
  });
  const pipeline = createPipeline([layer, probe]);
  return {
    async decide(
      call: ToolCall,
    ): Promise<{ decision: Decision; fact: PathFact | undefined; code: string | undefined }> {
      box.fact = undefined;
      const e = await pipeline.evaluate(call);
      const fact: PathFact | undefined = box.fact;
      return { decision: e.decision, fact, code: e.decision.reasons[0]?.code };
    },
  };
}

const write = (path: string, content = 'x') => makeCall({ path, content }, { tool: { name: 'write_file' } });
const shell = (command: string) => makeCall({ command }, { tool: { name: 'run_command' } });

describe('the path layer on a real file system', () => {
  it('sees through a symlinked directory to where a write lands', async () => {
    const r = await gate().decide(write('~/notes/authorized_keys'));
    expect(r.decision.outcome).toBe('allow');
    const e = r.fact?.entries.find((x) => x.raw === '~/notes/authorized_keys');
    expect(e?.resolved).toBe(join(home, '.ssh', 'authorized_keys'));
    expect(e?.classes).toContain('code-loading');
  });

  it('follows a dangling symlink to the file it will create', async () => {
    expect(await resolveOnDisk(join(home, 'dangling', 'x'))).toBe(join(home, 'later', 'x'));
  });

  it('denies a symlink loop as unresolvable (fail-closed)', async () => {
    const r = await gate().decide(write(join(root, 'loop-a', 'x')));
    expect(r.decision.outcome).toBe('deny');
    expect(r.code).toBe('path_unresolvable');
  });

  const gateState: readonly (readonly [string, ToolCall])[] = [
    ['the policy file by its own path', write(policy)],
    ['the policy file in another case', write(join(project, 'TEAM.POLICY'))],
    ['the policy file relative to the working directory', write('./team.policy')],
    ['the policy file through ~ and ..', write('~/project/../project/team.policy/')],
    ['the policy file by a bare name in a shell command', shell("printf 'default allow' > team.policy")],
    ['the policy file by a glob', shell('cp /tmp/p team.pol*')],
    [
      'the policy file in a command argument under any key name',
      makeCall({ input: "printf 'default allow' >team.policy" }, { tool: { name: 'terminal' } }),
    ],
    ['the policy file by a glob after a redirection', shell("echo 'default allow' > team.pol*")],
    ['everything under the directory that holds the policy deleted', shell('find . -delete')],
    [
      'the directory that holds the policy removed after a filtered find',
      shell("find . -name '*.log' -delete; rm -rf ../project"),
    ],
    ['the policy file by a glob edited in place', shell("sed -i 's/deny/allow/' *.policy")],
    ['the policy file with a redirection glued to it', shell("echo 'default allow'>>team.policy")],
    ['the policy file by a glob in a value', write(`${project}/*.policy`)],
    ['a hard link to the policy file', write(join(project, 'notes.txt'))],
    ['the audit file replaced by a write', write(audit, '')],
    ['the audit lock file', write(join(gateDir, 'audit.jsonl.lock'))],
    [
      'the directory holding the audit file, moved',
      makeCall({ source: gateDir, destination: '/tmp/x' }, { tool: { name: 'move_file' } }),
    ],
    ['the directory holding the audit file, moved by a shell', shell(`mv ~/gate /tmp/elsewhere`)],
    ['the cursor MCP configuration under HOME', write('~/.cursor/mcp.json', '{}')],
    [
      'the desktop client configuration',
      write(`${home}/Library/Application Support/Claude/claude_desktop_config.json`),
    ],
    ['a project MCP configuration', write('.mcp.json')],
    ['client settings', write('.claude/settings.local.json')],
    ['the user-level client file', shell('echo {} > ~/.claude.json')],
    ['any file whose content lists MCP servers', write('notes/config.json', '{"mcpServers": {"x": {}}}')],
    ['the pins file that does not exist yet', write('~/gate/pins.json')],
  ];
  for (const [what, call] of gateState) {
    it(`denies a call that targets ${what} with gate_state`, async () => {
      const r = await gate().decide(call);
      expect(r.decision.outcome).toBe('deny');
      expect(r.code).toBe('gate_state');
    });
  }

  const ordinary: readonly (readonly [string, ToolCall])[] = [
    ['writing a source file', write('src/index.ts', 'export {}')],
    ['writing the README', write('README.md', '# x')],
    ['writing package.json', write('package.json', '{"name":"x"}')],
    ['writing .gitignore', write('.gitignore', 'node_modules')],
    ['writing a test', write('test/a.test.ts')],
    ['writing .env.example', write('.env.example', 'KEY=')],
    ['reading a public key', makeCall({ path: '~/.ssh/id_ed25519.pub' })],
    [
      'reading a project file as a resource',
      { ...makeCall({ uri: 'file:///project/README.md' }), method: 'resources/read' },
    ],
    [
      'running tests in the project directory',
      makeCall({ command: 'npm test', cwd: project }, { tool: { name: 'run_command' } }),
    ],
    ['changing into the project and building', shell('cd ~/project && npm run build')],
    [
      'listing the home directory read-only',
      makeCall({ path: '~' }, { tool: { name: 'list_directory', annotations: { readOnlyHint: true } } }),
    ],
    ['reading a policy elsewhere by its full path', makeCall({ path: '/srv/other/team.policy.md' })],
    ['a read-only command whose glob also matches the policy', shell('grep -rn TODO * 2>/dev/null')],
    ['listing every file of the project', shell('ls -la ~/project/*')],
    [
      'deleting logs by name under the directory that holds the policy',
      shell("find . -name '*.log' -delete"),
    ],
    ['a redirection into a build log next to the policy', shell('cd ~/project && echo done > build.log')],
  ];
  for (const [what, call] of ordinary) {
    it(`lets ${what} through`, async () => {
      const r = await gate().decide(call);
      expect(r.decision).toMatchObject({ outcome: 'allow' });
    });
  }

  it('records a secret file a command only writes as read by nobody, and one it reads as a credential', async () => {
    const entryOf = async (command: string) =>
      (await gate().decide(shell(command))).fact?.entries.find((e) => e.raw === '.secrets/session.key');
    const written = await entryOf(
      'openssl rand -base64 32 > .secrets/session.key && chmod 600 .secrets/session.key',
    );
    expect(written).toMatchObject({ writtenOnly: true });
    expect(written?.classes).not.toContain('credential');
    for (const reads of [
      'cat .secrets/session.key',
      'cp .secrets/session.key /tmp/x',
      'chmod 600 .secrets/session.key; base64 .secrets/session.key',
    ]) {
      const e = await entryOf(reads);
      expect(e?.writtenOnly, reads).toBeUndefined();
      expect(e?.classes, reads).toContain('credential');
    }
    // Writing a file that runs on its own still counts for what it is.
    const rc = (await gate().decide(shell('echo x > ~/.bashrc'))).fact?.entries.find(
      (e) => e.raw === '~/.bashrc',
    );
    expect(rc?.classes).toContain('code-loading');
  });

  it('records normalised paths without touching the disk when resolution is off', async () => {
    const r = await gate(false).decide(write('$HOME/notes/authorized_keys'));
    const e = r.fact?.entries[0];
    expect(e).toMatchObject({ normalized: join(home, 'notes', 'authorized_keys') });
    expect(e?.resolved).toBeUndefined();
  });

  it('denies arguments too large to read for paths (fail-closed)', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `/tmp/f${i}`);
    const r = await gate().decide(makeCall({ paths: many }, { tool: { name: 'write_file' } }));
    expect(r.code).toBe('paths_unreadable');
    expect(r.decision).toMatchObject({ outcome: 'deny', failure: true });
  });
});
