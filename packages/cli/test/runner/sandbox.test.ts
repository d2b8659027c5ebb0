import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseProxyConfig } from '../../src/config.js';
import {
  bwrapInvocation,
  ETC_FILES,
  type SandboxedCommand,
  SYSTEM_DIRS,
  serverCodeDirs,
  verifySandbox,
} from '../../src/runner/sandbox.js';

const cmd: SandboxedCommand = {
  command: '/usr/bin/node',
  args: ['/srv/server/dist/index.js', '/work/space'],
  env: { PATH: '/usr/bin', HOME: '/home/me', SECRET_TOKEN: 's3cret' },
  cwd: '/work/space',
  codeDirs: ['/srv/server'],
};
const options = { writable: ['/work/space'], readOnly: ['/data'], network: 'none' } as const;

/** The `(flag, src, dest)` triples of an argument list, for the flags that take two paths. */
function mounts(args: readonly string[]): string[][] {
  const out: string[][] = [];
  args.forEach((a, i) => {
    if (['--bind', '--ro-bind', '--ro-bind-try'].includes(a))
      out.push([a, args[i + 1] ?? '', args[i + 2] ?? '']);
  });
  return out;
}

describe('bwrapInvocation', () => {
  it('unshares every namespace, the network included, drops capabilities, and dies with the proxy', () => {
    const { args } = bwrapInvocation(options, cmd);
    expect(args.slice(0, 5)).toEqual([
      '--unshare-all',
      '--die-with-parent',
      '--new-session',
      '--cap-drop',
      'ALL',
    ]);
    expect(args).not.toContain('--share-net');
  });

  it('shares the host network only when network is shared', () => {
    const { args } = bwrapInvocation({ ...options, network: 'shared' }, cmd);
    expect(args.slice(0, 2)).toEqual(['--unshare-all', '--share-net']);
  });

  it('binds only the writable directories read-write, after every read-only mount', () => {
    const m = mounts(bwrapInvocation(options, cmd).args);
    expect(m.filter(([f]) => f === '--bind')).toEqual([['--bind', '/work/space', '/work/space']]);
    expect(m.at(-1)).toEqual(['--bind', '/work/space', '/work/space']);
    expect(m).toContainEqual(['--ro-bind', '/srv/server', '/srv/server']);
    expect(m).toContainEqual(['--ro-bind', '/data', '/data']);
    for (const d of SYSTEM_DIRS) expect(m).toContainEqual(['--ro-bind-try', d, d]);
    for (const f of ETC_FILES) expect(m).toContainEqual(['--ro-bind-try', f, f]);
    expect(m.map(([, src]) => src)).not.toContain('/etc');
    expect(m.map(([, src]) => src)).not.toContain('/');
  });

  it('mounts an empty tmpfs over HOME and /tmp, and points TMPDIR inside', () => {
    const { args, env } = bwrapInvocation(options, cmd);
    expect(args.join(' ')).toContain('--tmpfs /tmp --tmpfs /home/me');
    expect(env.HOME).toBe('/home/me');
    expect(env.TMPDIR).toBe('/tmp');
  });

  it('keeps the environment off the command line and passes exactly the child environment', () => {
    const { args, env } = bwrapInvocation(options, cmd);
    expect(args.join(' ')).not.toContain('s3cret');
    expect(env).toEqual({ ...cmd.env, TMPDIR: '/tmp' });
  });

  it('ends with the working directory and the command after --', () => {
    const { args } = bwrapInvocation(options, cmd);
    expect(args.slice(-6)).toEqual(['--chdir', '/work/space', '--', '/usr/bin/node', ...cmd.args]);
  });

  it('creates an empty working directory when nothing mounted contains it', () => {
    const { args } = bwrapInvocation(options, { ...cmd, cwd: '/home/me/project' });
    expect(args.join(' ')).toContain('--dir /home/me/project');
    expect(bwrapInvocation(options, cmd).args).not.toContain('--dir');
  });
});

describe('serverCodeDirs', () => {
  it('finds the outermost node_modules of a script, as given and through its link', () => {
    const root = mkdtempSync(join(tmpdir(), 'gmcp-sandbox-'));
    const real = join(root, 'store/node_modules/.pnpm/pkg/node_modules/pkg/dist');
    mkdirSync(real, { recursive: true });
    writeFileSync(join(real, 'index.js'), '');
    mkdirSync(join(root, 'app/node_modules'), { recursive: true });
    symlinkSync(
      join(root, 'store/node_modules/.pnpm/pkg/node_modules/pkg'),
      join(root, 'app/node_modules/pkg'),
    );
    const dirs = serverCodeDirs('node', ['app/node_modules/pkg/dist/index.js', 'not-a-file'], root, {
      PATH: '/usr/bin',
    });
    expect(dirs.sort()).toEqual([join(root, 'app/node_modules'), join(root, 'store/node_modules')]);
  });

  it('takes the folder of a script outside node_modules and nothing under the system directories', () => {
    const root = mkdtempSync(join(tmpdir(), 'gmcp-sandbox-'));
    writeFileSync(join(root, 'server.mjs'), '');
    expect(serverCodeDirs('/usr/bin/env', [join(root, 'server.mjs')], '/', { PATH: '' })).toEqual([root]);
  });
});

describe('verifySandbox', () => {
  it('refuses a missing writable directory with a one-line reason', async () => {
    const missing = join(tmpdir(), 'gmcp-no-such-dir-0d1e');
    await expect(
      verifySandbox({ ...options, writable: [missing], readOnly: [] }, cmd, { PATH: '/usr/bin:/bin' }),
    ).rejects.toThrow(
      `sandbox_unavailable: writable directory ${missing} does not exist or is not a directory`,
    );
  });

  it('refuses when bwrap is not on PATH', async () => {
    await expect(verifySandbox(options, cmd, { PATH: '/nonexistent' })).rejects.toThrow(
      'sandbox_unavailable: bwrap (bubblewrap) is not on PATH',
    );
  });
});

describe('upstream.sandbox in the config file', () => {
  it('resolves its folders against the config file and defaults to no network', () => {
    const config = parseProxyConfig(
      { upstream: { sandbox: { writable: ['ws'], readOnly: ['/data'] } } },
      '/etc/gmcp',
    );
    expect(config.upstream.sandbox).toEqual({
      writable: ['/etc/gmcp/ws'],
      readOnly: ['/data'],
      network: 'none',
    });
  });

  it('rejects a list of hosts: bubblewrap cannot filter by host', () => {
    expect(() => parseProxyConfig({ upstream: { sandbox: { network: ['api.example.com:443'] } } })).toThrow(
      /upstream\.sandbox\.network/,
    );
  });
});
