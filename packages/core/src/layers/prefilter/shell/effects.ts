import { classifyPath } from '../../../paths/classify.js';
import { type EffectiveCommand, hasFlag, operands, optionValue } from './commands.js';
import type { ShellFindings } from './findings.js';
import { gitConfigExecWrites, gitSubcommand } from './git-config.js';
import type { ShellModel, ShellWord } from './model.js';

const TOP_DIRS = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib32',
  'lib64',
  'opt',
  'proc',
  'root',
  'sbin',
  'srv',
  'sys',
  'usr',
  'var',
  'users',
  'system',
  'library',
  'applications',
  'private',
  'snap',
  'mnt',
  'media',
]);
const PRIVILEGED = new Set(['sudo', 'doas', 'su', 'pkexec', 'run0', 'sudoedit', 'visudo', 'runas', 'gsudo']);
const DISK = /^\/dev\/(?:sd[a-z]|hd[a-z]|nvme\d|xvd[a-z]|vd[a-z]|mmcblk\d|disk\d|md\d|dm-\d|mapper\/)/;
const ACCOUNTS = /^\/etc\/(?:sudoers(?:\.d(?:\/.*)?)?|passwd|shadow|group|gshadow)$/;
const SCHEDULERS = new Set(['at', 'batch', 'systemd-run']);

/**
 * True when removing `raw` recursively wipes the machine or a home: `/`, `/*`, `~`, `$HOME/`, a
 * top-level system directory, a directory of `/home`, or a path made only of `..` (leaves the tree).
 */
export function catastrophicTarget(raw: string): boolean {
  const t = raw.replace(/(?:\/+\*?|\/\.)+$/, '/');
  if (t === '/' || t === '*' || t === '.' || t === './' || t === '~' || t === '~/' || t === '')
    return t !== '';
  if (/^(?:\.\.\/?)+$/.test(t) || /^[a-z]:[\\/]?\*?$/i.test(t)) return true;
  if (
    t.startsWith('~/') &&
    t
      .slice(2)
      .replace(/\/$/, '')
      .split('/')
      .every((p) => p === '*' || p === '..')
  )
    return true;
  if (!t.startsWith('/')) return false;
  const parts = t.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return true;
  if (parts.length === 1) return TOP_DIRS.has((parts[0] as string).toLowerCase());
  return parts.length === 2 && (parts[0] === 'home' || parts[0] === 'Users') && parts[1] !== '';
}

/** Where `e` writes files: redirections, `tee`, `cp`/`mv`/`install`/`ln`, `sed -i`, `dd of=`, `-o`. */
export function writeTargets(e: EffectiveCommand): ShellWord[] {
  const out: ShellWord[] = [];
  for (const r of e.source.redirects)
    if (r.op.includes('>') && !/^\d$/.test(r.target.text) && r.op !== '>&') out.push(r.target);
  for (const r of e.source.redirects) if (r.op === '>&' && !/^\d+$/.test(r.target.text)) out.push(r.target);
  const ops = operands(e.args);
  switch (e.name) {
    case 'tee':
      out.push(...ops.filter((w) => w.text !== '-'));
      break;
    case 'cp':
    case 'mv':
    case 'install':
    case 'ln':
    case 'rsync': {
      const dir = optionValue(e.args, ['-t'], ['--target-directory']);
      if (dir !== undefined) out.push(dir);
      else if (ops.length >= 2) out.push(ops[ops.length - 1] as ShellWord);
      break;
    }
    case 'sed':
      if (hasFlag(e.args, 'i', ['--in-place'])) {
        const script = optionValue(e.args, ['-e', '-f'], ['--expression', '--file']) === undefined;
        out.push(...ops.slice(script ? 1 : 0));
      }
      break;
    case 'dd':
      for (const w of e.args) if (w.text.startsWith('of=')) out.push({ ...w, text: w.text.slice(3) });
      break;
    case 'curl': {
      const o = optionValue(e.args, ['-o'], ['--output']);
      if (o !== undefined) out.push(o);
      break;
    }
    case 'wget': {
      const o = optionValue(e.args, ['-O'], ['--output-document']);
      if (o !== undefined) out.push(o);
      break;
    }
    case 'tar':
      if (hasFlag(e.args, 'x', ['--extract', '--get']) || /^[a-z]*x/.test(e.args[0]?.text ?? '')) {
        const dir = optionValue(e.args, ['-C'], ['--directory']);
        if (dir !== undefined) out.push(dir);
      }
      break;
    case 'truncate':
    case 'shred':
      out.push(...ops.filter((w) => !/^\d/.test(w.text)));
      break;
  }
  return out;
}

/** Destruction, privilege and persistence read from what each command is and what it writes. */
export function analyzeEffects(
  model: ShellModel,
  eff: readonly EffectiveCommand[],
  found: ShellFindings,
): void {
  for (const e of eff) {
    const at = e.source.path.text;
    const ops = operands(e.args);
    for (const w of e.wrappers)
      if (PRIVILEGED.has(w)) found.add('privilege-change', 'privilege_escalation', w);
    if (PRIVILEGED.has(e.name)) found.add('privilege-change', 'privilege_escalation', at);
    if (e.name === 'rm' && hasFlag(e.args, 'rRf', ['--recursive', '--force', '--no-preserve-root'])) {
      if (hasFlag(e.args, '', ['--no-preserve-root']) || ops.some((w) => catastrophicTarget(w.text)))
        found.add('destructive-command', 'recursive_delete', at);
    }
    if (e.name === 'find') {
      const roots = e.args.slice(
        0,
        Math.max(
          0,
          e.args.findIndex((w) => w.text.startsWith('-') || w.text === '(' || w.text === '!'),
        ),
      );
      const rootsAll = roots.length === 0 && !e.args.some((w) => w.text.startsWith('-')) ? e.args : roots;
      const deletes = e.args.some(
        (w, i) =>
          w.text === '-delete' ||
          (/^-(?:exec|execdir|ok|okdir)$/.test(w.text) &&
            /^(?:rm|shred|unlink)$/.test((e.args[i + 1]?.text ?? '').replace(/.*\//, ''))),
      );
      if (deletes && rootsAll.some((w) => w.text !== '.' && w.text !== './' && catastrophicTarget(w.text)))
        found.add('destructive-command', 'find_delete_root', at);
    }
    if (/^mkfs(?:\.|$)|^wipefs$|^mke2fs$|^mkswap$/.test(e.name))
      found.add('destructive-command', 'filesystem_format', at);
    if (e.name === 'chmod') {
      const mode = ops[0]?.text ?? '';
      const numeric = /^[0-7]{4,5}$/.test(mode) && (Number.parseInt(mode, 8) & 0o6000) !== 0;
      if (numeric || mode.split(',').some((c) => /^[ugoa]*[+=][rwxXt]*s/.test(c)))
        found.add('privilege-change', 'setuid', at);
      if (hasFlag(e.args, 'R', ['--recursive']) && ops.slice(1).some((w) => catastrophicTarget(w.text)))
        found.add('destructive-command', 'recursive_chmod_root', at);
    }
    if (
      (e.name === 'chown' || e.name === 'chgrp') &&
      /^(?:root|0|wheel)(?::|$)|^:(?:root|0|wheel)$/.test(ops[0]?.text ?? '')
    )
      found.add('privilege-change', 'root_owner', at);
    if (e.name === 'setcap') found.add('privilege-change', 'capability_grant', at);
    if (e.name === 'usermod' && e.args.some((w) => /^(?:sudo|wheel|admin|root|docker)(?:,|$)/.test(w.text)))
      found.add('privilege-change', 'admin_group', at);
    if (e.name === 'chpasswd' || (e.name === 'passwd' && ops.some((w) => w.text === 'root')))
      found.add('privilege-change', 'credential_change', at);
    if (
      e.name === 'docker' &&
      e.args.some((w) => w.text === '--privileged' || /^--pid=host$|^\/:\//.test(w.text))
    )
      found.add('privilege-change', 'container_escape', at);
    // Entering the namespaces of process 1 leaves a container for the host.
    if (e.name === 'nsenter' && optionValue(e.args, ['-t'], ['--target'], false)?.text === '1')
      found.add('privilege-change', 'container_escape', at);
    if (e.name === 'crontab' && ops.length > 0 && !hasFlag(e.args, 'lr', []))
      found.add('persistence', 'crontab_install', at);
    if (SCHEDULERS.has(e.name) && !hasFlag(e.args, 'lq', ['--help']))
      found.add('persistence', 'scheduled_job', at);
    if (
      e.name === 'systemctl' &&
      ops.some((w) => /^(?:enable|link|reenable|preset|set-default)$/.test(w.text))
    )
      found.add('persistence', 'service_enable', at);
    if (e.name === 'launchctl' && ops.some((w) => /^(?:load|bootstrap|submit|enable)$/.test(w.text)))
      found.add('persistence', 'service_enable', at);
    if (
      (e.name === 'update-rc.d' || e.name === 'chkconfig') &&
      ops.some((w) => /^(?:defaults|enable|on)$/.test(w.text))
    )
      found.add('persistence', 'service_enable', at);
    // A key git runs on its own (`core.fsmonitor`, `alias.x=!…`, `include.path`), written at any scope.
    if (e.name === 'git') {
      const sub = gitSubcommand(e.args);
      if (e.args[sub]?.text === 'config') {
        const keys = gitConfigExecWrites(e.args.slice(sub + 1));
        if (keys.length > 0) found.add('persistence', 'git_exec_config', keys[0] as string);
      }
    }
    if (e.name === 'dd' && !e.args.some((w) => w.text.startsWith('of='))) continue;
    for (const target of writeTargets(e)) judgeTarget(e, target, found);
  }
  // A function that calls itself in a pipeline (`:(){ :|:& };:`) multiplies processes without bound.
  for (const c of model.commands) {
    if (c.inFunction !== '' && c.stage > 0 && c.path.text === c.inFunction)
      found.add('destructive-command', 'fork_bomb', c.inFunction);
  }
}

function judgeTarget(e: EffectiveCommand, target: ShellWord, found: ShellFindings): void {
  const text = target.text;
  if (DISK.test(text)) {
    found.add('destructive-command', 'raw_disk_write', text);
    return;
  }
  if (/^\/dev\//.test(text)) return;
  const verdict = classifyPath(text);
  const system =
    verdict?.classes.includes('system') === true ||
    (text.startsWith('/') &&
      TOP_DIRS.has(text.split('/')[1] ?? '') &&
      !/^\/(?:home|users|tmp)\//i.test(text));
  if ((e.name === 'truncate' || e.name === 'shred') && system) {
    found.add('destructive-command', 'system_file_wipe', text);
    return;
  }
  if (ACCOUNTS.test(text)) {
    found.add('privilege-change', 'account_file_write', text);
    return;
  }
  if (verdict?.classes.includes('code-loading') === true)
    found.add('persistence', 'startup_file_write', text);
  // A write into system configuration outlives the session as surely as an rc file does.
  else if (system) found.add('persistence', 'system_file_write', text);
}
