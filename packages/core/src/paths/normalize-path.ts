/**
 * The one path normaliser of the gate: every layer that decides on a path (the path layer, the
 * pre-filter, the policy's globs and path classes, the shell analysis) reads it in this form.
 */

import { MAX_MEMO_KEY, PathMemo } from './path-memo.js';

/** Where a path is interpreted: the home directory, the working directory, the user name. */
export interface PathEnv {
  readonly home: string;
  readonly cwd: string;
  readonly user?: string;
}

/** Paths longer than this are not read as paths (no file system accepts them). */
export const MAX_PATH_LENGTH = 4096;

/** Normalised forms already computed (null: not a path), per environment; bounded. */
const normalized = new PathMemo<string | null>();

const FORMAT_CHARS = /\p{Cf}/gu;
const PERCENT = /%[0-9a-f]{2}/i;
const HOME_VARS =
  /^(?:\$\{(?:HOME|USERPROFILE)\}|\$(?:HOME|USERPROFILE)(?![A-Za-z0-9_])|%(?:HOME|USERPROFILE)%|\$env:(?:HOME|USERPROFILE)(?![A-Za-z0-9_]))/i;
const DRIVE = /^[a-z]:(?:\/|$)/i;
const NON_FILE_SCHEME = /^[a-z][a-z0-9+.-]{1,20}:\/\//i;

/** Percent-decodes up to three times (double encoding), stopping at the first malformed sequence. */
function decodePercent(s: string): string {
  let out = s;
  for (let i = 0; i < 3 && PERCENT.test(out); i++) {
    try {
      out = decodeURIComponent(out);
    } catch {
      // A lone `%` that is not an escape: decode the well-formed escapes only.
      out = out.replace(/%[0-9a-f]{2}/gi, (m) => String.fromCharCode(Number.parseInt(m.slice(1), 16)));
    }
  }
  return out;
}

/** The home directory of `~name`: the caller's own home when the name is the caller's. */
function userHome(name: string, env: PathEnv | undefined): string {
  if (env !== undefined && (env.user === name || env.home.endsWith(`/${name}`))) return env.home;
  if (name === 'root') return '/root';
  const base = env?.home.match(/^(.*)\/[^/]+$/)?.[1];
  return `${base !== undefined && base !== '' ? base : '/home'}/${name}`;
}

function expandHome(p: string, env: PathEnv | undefined): string {
  const home = env?.home ?? '~';
  const v = HOME_VARS.exec(p);
  if (v !== null) return home + p.slice(v[0].length);
  if (!p.startsWith('~')) return p;
  const slash = p.indexOf('/');
  const name = slash < 0 ? p.slice(1) : p.slice(1, slash);
  const rest = slash < 0 ? '' : p.slice(slash);
  if (name === '' || name === '+') return home + rest;
  if (!/^[a-z_][a-z0-9_.-]{0,31}$/i.test(name)) return p;
  return userHome(name, env) + rest;
}

/** Collapses repeated slashes, `.` and `..` (never above the root) and drops a trailing slash. */
function collapse(p: string): string {
  const drive = DRIVE.exec(p)?.[0].slice(0, 2);
  const body = drive === undefined ? p : p.slice(2);
  const absolute = body.startsWith('/');
  const out: string[] = [];
  for (const seg of body.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const joined = out.join('/');
  const prefix = (drive ?? '') + (absolute ? '/' : '');
  return prefix + joined || '.';
}

/**
 * Normalises a path as an agent wrote it: NFKC and invisible characters, `file://` URLs, percent
 * encoding, `\` as `/`, `~`, `~user`, `$HOME`, `${HOME}`, `$USERPROFILE`, `%USERPROFILE%`, relative
 * paths against `env.cwd`, repeated slashes, `.` and `..`, and a trailing `/`. Without an `env`, home
 * stays `~` and relative paths stay relative. Undefined when the text is not a path (empty, several
 * lines, too long, or a URL of another scheme).
 * @example
 * normalizePath('$HOME//notes/../.zprofile/', { home: '/home/u', cwd: '/w' }) // '/home/u/.zprofile'
 */
export function normalizePath(raw: string, env?: PathEnv): string | undefined {
  if (raw.length > MAX_MEMO_KEY) return normalizeNow(raw, env);
  const memo = normalized.forEnv(env);
  const hit = memo.get(raw);
  if (hit !== undefined) return hit === null ? undefined : hit;
  const p = normalizeNow(raw, env);
  memo.set(raw, p ?? null);
  return p;
}

function normalizeNow(raw: string, env: PathEnv | undefined): string | undefined {
  let p = raw.normalize('NFKC').replace(FORMAT_CHARS, '').trim();
  // A NUL ends the path for the system call that receives it.
  const nul = p.indexOf('\u0000');
  if (nul >= 0) p = p.slice(0, nul);
  if (p.length === 0 || p.length > MAX_PATH_LENGTH || /[\r\n]/.test(p)) return undefined;
  if (/^file:/i.test(p)) {
    p = p.replace(/^file:(?:\/\/(?:localhost(?=\/))?)?/i, '');
    const q = p.search(/[?#]/);
    if (q >= 0) p = p.slice(0, q);
  } else if (NON_FILE_SCHEME.test(p)) return undefined;
  p = decodePercent(p).replaceAll('\\', '/');
  // `/C:/x` (a file URL of a Windows path) is `C:/x`.
  if (/^\/[a-z]:\//i.test(p)) p = p.slice(1);
  p = expandHome(p, env);
  if (env !== undefined && !p.startsWith('/') && !DRIVE.test(p) && !p.startsWith('~')) {
    p = `${env.cwd}/${p}`;
  }
  return collapse(p);
}
