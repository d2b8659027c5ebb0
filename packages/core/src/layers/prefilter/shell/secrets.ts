import { classifyPath } from '../../../paths/classify.js';
import { type EffectiveCommand, operands } from './commands.js';
import type { ShellWord } from './model.js';

const ENV_DUMPS = new Set(['env', 'printenv', 'set', 'compgen']);
const READERS = new Set([
  'cat',
  'tac',
  'head',
  'tail',
  'less',
  'more',
  'base64',
  'base32',
  'xxd',
  'od',
  'hexdump',
  'gzip',
  'bzip2',
  'xz',
  'zstd',
  'tar',
  'zip',
  '7z',
  'cp',
  'strings',
  'dd',
  'openssl',
  'gpg',
  'sed',
  'awk',
  'grep',
  'cut',
  'sort',
  'uniq',
  'jq',
]);
const HISTORY =
  /(?:^|\/)\.(?:bash|zsh|sh|python|node_repl|psql|mysql|sqlite|lesshst|irb)_?history$|(?:^|\/)\.zhistory$/;

/** True when the path names a secret: a credential file by `classifyPath`, or a shell history. */
export function isSecretPath(word: ShellWord): boolean {
  const text = word.text.replace(/^@/, '');
  if (HISTORY.test(text)) return true;
  if (text.startsWith('/dev/')) return false;
  const own = classifyPath(text);
  if (own === undefined || own.classes.length === 0) return false;
  if (own.classes.includes('credential')) return true;
  // A sensitive directory read whole (`tar czf - ~/.ssh`): secret when what it holds is.
  return classifyPath(`${text.replace(/\/+$/, '')}/id_rsa`)?.classes.includes('credential') === true;
}

/** True when `e` writes secrets to its output: environment dumps, or reading a credential file. */
export function readsSecret(e: EffectiveCommand): boolean {
  if (e.name === 'env' && e.args.length === 0) return true;
  if (ENV_DUMPS.has(e.name) && e.name !== 'env') return e.name !== 'set' || e.args.length === 0;
  if (
    (e.name === 'export' || e.name === 'declare' || e.name === 'typeset') &&
    e.args.some((w) => w.text === '-p')
  )
    return true;
  if (!READERS.has(e.name)) return e.args.some((w) => w.secret);
  return (
    operands(e.args).some(isSecretPath) ||
    e.source.redirects.some((r) => r.op === '<' && isSecretPath(r.target))
  );
}
