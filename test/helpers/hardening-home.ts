import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_CONSTITUTION } from '@governed-mcp/policy-dsl';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';

/** Fake secrets: shaped like the real thing, valid nowhere. */
export const FAKE = {
  privateKey:
    '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n',
  vaultToken: 'hvs.CAESIJ1yZmFrZS10b2tlbi1mb3ItdGVzdHMtb25seQ\n',
  githubToken: 'ghp_R4nd0mLooking1234567890abcdefABCDEF12',
} as const;

/**
 * A temp HOME with the files an attacker wants (ssh keys, shell and git start-up files, a vault token),
 * a project inside it, and the proxy's own policy and audit files in `~/.config/governed-mcp/`. The
 * policy is the default constitution with the local user's default principal written out, so the
 * proxy behaves as with no configuration while its policy file exists on disk to be attacked.
 */
export function hardeningHome() {
  const home = mkdtempSync(join(tmpdir(), 'gmcp-e2e-home-'));
  const project = join(home, 'project');
  const gate = join(home, '.config', 'governed-mcp');
  const files: Record<string, string> = {
    '.ssh/id_ed25519': FAKE.privateKey,
    '.ssh/id_ed25519.pub': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPub dev@laptop\n',
    '.ssh/authorized_keys': 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOld old@host\n',
    '.bashrc': 'export PATH="$HOME/bin:$PATH"\n',
    '.gitconfig': '[user]\n\tname = Dev\n',
    '.vault-token': FAKE.vaultToken,
    'project/README.md': '# app\n',
    'project/.git/config': '[core]\n\trepositoryformatversion = 0\n',
    'project/config/settings.yml': `github_token: ${FAKE.githubToken}\n`,
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(dirname(join(home, rel)), { recursive: true });
    writeFileSync(join(home, rel), content);
  }
  mkdirSync(gate, { recursive: true });
  const policy = join(gate, 'team.policy');
  writeFileSync(
    policy,
    DEFAULT_CONSTITUTION.replace(/^default principal .*$/m, 'default principal "local:dev" tier trusted'),
  );
  const audit = join(gate, 'audit.jsonl');
  const env = { ...process.env, HOME: home, USERPROFILE: home };
  return { home, project, gate, policy, audit, env };
}

/** What is at `path` now: its bytes, `symlink:…`, `dir` or `absent`. */
export function snapshot(path: string): string {
  if (!existsSync(path)) {
    try {
      return lstatSync(path).isSymbolicLink() ? 'dangling-symlink' : 'absent';
    } catch {
      return 'absent';
    }
  }
  const s = lstatSync(path);
  if (s.isDirectory()) return 'dir';
  return readFileSync(path, 'utf8');
}

type Text = { text?: string };

/** Calls a tool and asserts the gate refused it (a denied result or a refused request); returns the text. */
export async function refused(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  let out: Record<string, unknown>;
  try {
    out = await client.callTool({ name, arguments: args });
  } catch (err) {
    return String(err);
  }
  const text = (out.content as Text[] | undefined)?.[0]?.text ?? '';
  expect(
    out.isError,
    `${name} ${JSON.stringify(args).slice(0, 160)} was not refused: ${text.slice(0, 200)}`,
  ).toBe(true);
  return text;
}

/** Asserts that `attempt` was refused and left every path in `watched` exactly as it was. */
export async function refusedAndUnchanged(
  watched: readonly string[],
  attempt: () => Promise<unknown>,
): Promise<void> {
  const before = watched.map(snapshot);
  await attempt();
  expect(watched.map(snapshot)).toEqual(before);
}
