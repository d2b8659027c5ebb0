import { type EffectiveCommand, hasFlag, operands, optionValue } from './commands.js';
import type { ShellFindings } from './findings.js';
import { embeddedCommands } from './interpreter-code.js';
import type { ShellModel, ShellWord } from './model.js';
import {
  fetches,
  inlineCode,
  isFetcher,
  isShell,
  isSocket,
  outputsDecoded,
  runsStdin,
  scriptFile,
  scriptTraits,
} from './roles.js';
import { isSecretPath, readsSecret } from './secrets.js';
import { writtenScriptCommands, writtenText } from './written-scripts.js';

/** What flows out of a command's standard output. */
interface Stream {
  fetched: boolean;
  socket: boolean;
  secret: boolean;
  /** Text decoded from an encoding (base64, hex escapes): what runs is hidden from the reader. */
  decoded: boolean;
}

const NONE: Stream = { fetched: false, socket: false, secret: false, decoded: false };
const NET_DEV = /^\/dev\/(?:tcp|udp)\//;
const UPLOAD_LONG = [
  '--upload-file',
  '--data',
  '--data-binary',
  '--data-raw',
  '--data-urlencode',
  '--data-ascii',
  '--form',
  '--json',
  '--post-file',
  '--body-file',
  '--post-data',
];

/** A file key for matching a written path with a later use (`./inst` and `inst` are one file). */
function fileKey(path: string): string {
  return path.replace(/^(?:\.\/)+/, '');
}

/** Files a fetcher writes: `-o F`, `-O F`, `--output F`, `> F`, or the URL's base name (`wget URL`, `curl -O`). */
function fetchedFiles(e: EffectiveCommand): string[] {
  const out: string[] = [];
  for (const r of e.source.redirects) if (r.op.startsWith('>') || r.op === '&>') out.push(r.target.text);
  if (!isFetcher(e)) return out;
  const named =
    e.name === 'curl'
      ? optionValue(e.args, ['-o'], ['--output'])
      : optionValue(e.args, ['-O'], ['--output-document']);
  if (named !== undefined && named.text !== '-') out.push(named.text);
  const remoteName = e.name === 'wget' ? named === undefined : hasFlag(e.args, 'O', ['--remote-name']);
  if (remoteName)
    for (const u of operands(e.args))
      if (/^[a-z]+:\/\//i.test(u.text)) out.push(u.text.replace(/[?#].*$/, '').replace(/.*\//, ''));
  return out;
}

/** True when `e` sends data off the machine, and what it sends from where. */
function sink(e: EffectiveCommand): { sends: boolean; secretArg: boolean } {
  const words = e.args;
  if (e.name === 'curl' || e.name === 'wget' || e.name === 'http' || e.name === 'xh') {
    const short = e.name === 'curl' ? ['-T', '-d', '-F'] : [];
    const value = optionValue(words, short, UPLOAD_LONG);
    if (value === undefined) return { sends: false, secretArg: false };
    const file = value.text.replace(/^[^=@<]*[=]?[@<]/, '');
    return { sends: true, secretArg: value.secret || isSecretPath({ ...value, text: file }) };
  }
  if (isSocket(e)) {
    const stdin = e.source.redirects.find((r) => r.op === '<');
    return { sends: true, secretArg: stdin !== undefined && isSecretPath(stdin.target) };
  }
  if (e.name === 'scp' || e.name === 'rsync' || e.name === 'sftp') {
    const ops = operands(words);
    const remote = ops.slice(1).some((w) => /^[^/\s]*:/.test(w.text) && !/^[a-z]:\\/i.test(w.text));
    return { sends: remote, secretArg: remote && ops.slice(0, -1).some(isSecretPath) };
  }
  if (e.name === 'ssh') return { sends: true, secretArg: false };
  return { sends: false, secretArg: false };
}

/**
 * Dataflow over the model: fetched content reaching an executor (`fetch-exec`), a socket wired to
 * a shell (`reverse-shell`), and secrets reaching a network sink (`credential`).
 */
export function analyzeFlow(
  model: ShellModel,
  eff: readonly EffectiveCommand[],
  found: ShellFindings,
  nested: (code: string) => void,
): void {
  const out: Stream[] = [];
  const written = new Set<string>();
  const contents = new Map<string, string>();
  let fifo = false;
  for (const e of eff) {
    const cmd = e.source;
    const from = cmd.stage === 0 ? NONE : merge(model, out, cmd.pipeline, cmd.stage - 1, cmd.index);
    const input: Stream = { ...from };
    if (cmd.stdin !== undefined) {
      input.fetched ||= cmd.stdin.fetched;
      input.secret ||= cmd.stdin.secret;
    }
    for (const r of cmd.redirects) {
      if (NET_DEV.test(r.target.text)) found.add('reverse-shell', 'dev_tcp', r.target.text);
      if ((r.op === '<' || r.op === '<>') && isSecretPath(r.target)) input.secret = true;
    }
    // gawk's special files open sockets from inside a program: `/inet/tcp/0/host/port`.
    for (const w of e.args)
      if (/\/inet\/(?:tcp|udp)\//.test(w.text)) found.add('reverse-shell', 'dev_tcp', w.text);
    const self = fetches(e);
    const exec = runsStdin(e);
    if (exec && (input.fetched || input.socket)) {
      if (input.socket) found.add('reverse-shell', 'socket_into_shell', cmd.path.text);
      else found.add('fetch-exec', 'fetched_into_interpreter', cmd.path.text);
    } else if (exec && input.decoded) found.add('fetch-exec', 'decoded_into_interpreter', cmd.path.text);
    if (e.dynamicName && cmd.path.fetched) found.add('fetch-exec', 'fetched_command', cmd.path.text);
    // A name printed by a command substitution (`$(printf sudo) id`) hides what runs from a reader.
    else if (e.hiddenName) found.add('fetch-exec', 'hidden_command', cmd.path.text);
    const inline = inlineCode(e);
    if (inline !== undefined) {
      if (inline.code.fetched) found.add('fetch-exec', 'fetched_inline_code', inline.code.text);
      if (inline.lang === 'shell' && !inline.code.fetched) nested(inline.code.text);
      if (inline.lang === 'script') {
        const t = scriptTraits(inline.code.text);
        if (t.fetches && t.runs) found.add('fetch-exec', 'script_download_exec', inline.code.text);
        else if (t.socket && t.runs) found.add('reverse-shell', 'script_socket_shell', inline.code.text);
        else if (t.socket) found.add('fetch-exec', 'script_socket', inline.code.text);
      }
    }
    // Commands that code run by this one hands to a shell (`os.system("…")`, awk `system()`, git `-c`).
    const embedded = embeddedCommands(e);
    for (const c of embedded.commands) nested(c);
    if (embedded.decoded) found.add('fetch-exec', 'decoded_process_call', cmd.path.text);
    if (exec && cmd.stdin !== undefined && !cmd.stdin.fetched && isShell(e)) nested(cmd.stdin.text);
    const file = scriptFile(e);
    // A file this script wrote text into, run later in it: that text is judged as what runs.
    const ran = file ?? (cmd.path.text.includes('/') ? cmd.path : undefined);
    const text = ran === undefined ? undefined : contents.get(fileKey(ran.text));
    if (ran !== undefined && text !== undefined) {
      const r = writtenScriptCommands(e, ran, text);
      for (const c of r.commands) nested(c);
      if (r.decoded) found.add('fetch-exec', 'decoded_process_call', ran.text);
    }
    const wrote = writtenText(e);
    if (wrote !== undefined) {
      const key = fileKey(wrote.file);
      contents.set(key, wrote.append ? `${contents.get(key) ?? ''}${wrote.text}\n` : `${wrote.text}\n`);
    }
    const runsWritten = (p: string): boolean => written.has(fileKey(p));
    if (file?.fetched === true) found.add('fetch-exec', 'fetched_script_file', file.text);
    else if (file !== undefined && runsWritten(file.text))
      found.add('fetch-exec', 'download_then_run', file.text);
    if (cmd.path.text.includes('/') && runsWritten(cmd.path.text))
      found.add('fetch-exec', 'download_then_run', cmd.path.text);
    if (e.name === 'nc' || e.name === 'ncat' || e.name === 'netcat' || e.name === 'nc.traditional') {
      if (hasFlag(e.args, 'ec', ['--exec', '--sh-exec', '--lua-exec']))
        found.add('reverse-shell', 'netcat_exec', cmd.path.text);
    }
    if (e.name === 'socat' && e.args.some((w) => /^(?:exec|system):/i.test(w.text))) {
      if (e.args.some((w) => /^(?:tcp|udp|openssl|ssl|tcp4|tcp6|udp4|udp6)[-:]/i.test(w.text)))
        found.add('reverse-shell', 'socat_exec', cmd.path.text);
    }
    if (e.name === 'mkfifo' || e.name === 'mknod') fifo = true;
    if (
      fifo &&
      isShell(e) &&
      model.commands.some((c, i) => c.pipeline === cmd.pipeline && isSocket(eff[i] as EffectiveCommand))
    ) {
      found.add('reverse-shell', 'fifo_relay', cmd.path.text);
    }
    if (
      isSocket(e) &&
      from.fetched === false &&
      cmd.stage > 0 &&
      shellBefore(model, eff, cmd.pipeline, cmd.stage)
    ) {
      found.add('reverse-shell', 'shell_into_socket', cmd.path.text);
    }
    const s = sink(e);
    if (s.sends && (s.secretArg || input.secret))
      found.add('credential', 'secret_exfiltration', cmd.path.text);
    for (const r of cmd.redirects)
      if (NET_DEV.test(r.target.text) && r.op.includes('>') && (input.secret || readsSecret(e)))
        found.add('credential', 'secret_exfiltration', r.target.text);
    for (const f of fetchedFiles(e)) if (self || e.argsFromStdin) written.add(fileKey(f));
    out[cmd.index] = {
      fetched: self || (input.fetched && !exec),
      socket: isSocket(e) || cmd.redirects.some((r) => r.op.startsWith('<') && NET_DEV.test(r.target.text)),
      secret: readsSecret(e) || input.secret,
      decoded: outputsDecoded(e) || (input.decoded && !exec),
    };
  }
}

function merge(
  model: ShellModel,
  out: readonly Stream[],
  pipeline: number,
  stage: number,
  before: number,
): Stream {
  const s = { ...NONE };
  for (let i = 0; i < before; i++) {
    const c = model.commands[i];
    if (
      c === undefined ||
      c.pipeline !== pipeline ||
      c.stage !== stage ||
      c.owner !== (model.commands[before]?.owner ?? -1)
    )
      continue;
    const o = out[i] ?? NONE;
    s.fetched ||= o.fetched;
    s.socket ||= o.socket;
    s.secret ||= o.secret;
    s.decoded ||= o.decoded;
  }
  return s;
}

function shellBefore(
  model: ShellModel,
  eff: readonly EffectiveCommand[],
  pipeline: number,
  stage: number,
): boolean {
  return model.commands.some(
    (c, i) =>
      c.pipeline === pipeline &&
      c.stage < stage &&
      isShell(eff[i] as EffectiveCommand) &&
      runsStdin(eff[i] as EffectiveCommand),
  );
}

/** The flags a command's output carries, for words holding a substitution of it. */
export function outputOf(e: EffectiveCommand): { fetched: boolean; secret: boolean } {
  return { fetched: fetches(e), secret: readsSecret(e) };
}

/** Re-exported for the word that names a file (`ShellWord`). */
export type { ShellWord };
