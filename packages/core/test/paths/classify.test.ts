import { describe, expect, it } from 'vitest';
import { classifyPath, type PathClass, type PathEnv } from '../../src/index.js';

const env: PathEnv = { home: '/home/u', cwd: '/home/u/project', user: 'u' };

function classes(raw: string, e: PathEnv | undefined = env): readonly PathClass[] {
  return classifyPath(raw, e)?.classes ?? [];
}

describe('normalising a path', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['~/.zprofile/', '/home/u/.zprofile'],
    ['~//.zshenv', '/home/u/.zshenv'],
    ['$HOME/./.bashrc', '/home/u/.bashrc'],
    [`\${HOME}/.config/fish/conf.d/x.fish`, '/home/u/.config/fish/conf.d/x.fish'],
    ['%USERPROFILE%\\.gitconfig', '/home/u/.gitconfig'],
    ['$USERPROFILE/.gitconfig', '/home/u/.gitconfig'],
    ['~root/.bashrc', '/root/.bashrc'],
    ['~u/.bashrc', '/home/u/.bashrc'],
    ['file:///home/u/.gitconfig', '/home/u/.gitconfig'],
    ['file://localhost/etc/passwd', '/etc/passwd'],
    ['/home/u/project/%2e%2e/%2e%2e/u/.ssh/id_rsa', '/home/u/.ssh/id_rsa'],
    ['/home/u/%252essh/id_rsa', '/home/u/.ssh/id_rsa'],
    ['src/../../.bashrc', '/home/u/.bashrc'],
    ['./src//index.ts', '/home/u/project/src/index.ts'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['C:\\Users\\u\\.ssh\\id_rsa', 'C:/Users/u/.ssh/id_rsa'],
    ['/home/u/.bash\u200brc', '/home/u/.bashrc'],
  ];
  for (const [raw, want] of cases) {
    it(`reads ${JSON.stringify(raw)} as ${want}`, () => {
      expect(classifyPath(raw, env)?.normalized).toBe(want);
    });
  }

  it('does not read a URL of another scheme, several lines or an empty string as a path', () => {
    expect(classifyPath('https://example.com/.bashrc', env)).toBeUndefined();
    expect(classifyPath('a\nb', env)).toBeUndefined();
    expect(classifyPath('', env)).toBeUndefined();
  });
});

describe('classifying paths by principle', () => {
  const codeLoading = [
    '~/.zprofile/',
    '~//.zshenv',
    '$HOME/./.bashrc',
    `\${HOME}/.config/fish/conf.d/x.fish`,
    '~/.config/fish/config.fish',
    '~root/.bashrc',
    '/home/other/.profile',
    '/Users/someone/.zshrc',
    'file:///home/u/.gitconfig',
    '~/.gitconfig',
    '~/.bashrc.d/50-x.sh',
    '/home/u/project/%2e%2e/.zlogin',
    '.git/config',
    'sub/.git/hooks/pre-commit',
    '.GIT/HOOKS/post-checkout',
    '.githooks/pre-commit',
    '.husky/pre-push',
    '~/.local/bin/ls',
    '~/bin/git',
    '/usr/local/bin/node',
    '~/.config/autostart/x.desktop',
    '~/.config/systemd/user/x.service',
    '~/Library/LaunchAgents/x.plist',
    '.vscode/tasks.json',
    '.envrc',
    '~/.ssh/authorized_keys',
    '~/.ssh/rc',
    '~/.SSH/config',
    'venv/lib/python3.12/site-packages/evil.pth',
    'sitecustomize.py',
    '.npmrc',
    '.yarnrc.yml',
    'C:\\Users\\u\\AppData\\Roaming\\Microsoft\\Windows\\Start Menu\\Programs\\Startup\\x.bat',
    '~/.vimrc',
    '~/.emacs.d/init.el',
  ];
  for (const raw of codeLoading) {
    it(`reads ${JSON.stringify(raw)} as code-loading`, () => {
      expect(classes(raw)).toContain('code-loading');
    });
  }

  const credential = [
    '~/.vault-token',
    '~/.cargo/credentials.toml',
    '~/.cargo/credentials',
    '.envrc',
    '~/.gnupg/private-keys-v1.d/ABC.key',
    '~/.gnupg/secring.gpg',
    'keys/release-private.asc.gpg',
    '~/.ssh/id_ed25519',
    '~/.SSH/ID_RSA',
    '~/.ssh/deploy_key',
    '~/id_rsa',
    '/etc/ssh/ssh_host_ed25519_key',
    '~/.ssh/github',
    'certs/server.key',
    'certs/tls.pem',
    '~/.aws/credentials',
    '~/.config/gcloud/application_default_credentials.json',
    '~/.kube/config',
    '~/.docker/config.json',
    '~/.netrc',
    '~/.pgpass',
    '~/.git-credentials',
    '.env',
    'app/.env.production',
    'config/prod.env',
    '~/.config/hub/token',
    '~/.local/share/keyrings/login.keyring',
    '/etc/shadow',
    '/proc/self/environ',
    '~/.bash_history',
  ];
  for (const raw of credential) {
    it(`reads ${JSON.stringify(raw)} as a credential`, () => {
      expect(classes(raw)).toContain('credential');
    });
  }

  const system = [
    '/etc/passwd',
    '/usr/lib/x.so',
    '/boot/grub/grub.cfg',
    '/proc/1/mem',
    '~root/.bashrc',
    '/home/other/notes.txt',
    'C:\\Windows\\System32\\drivers\\etc\\hosts',
    '/sys/kernel/x',
  ];
  for (const raw of system) {
    it(`reads ${JSON.stringify(raw)} as a system path`, () => {
      expect(classes(raw)).toContain('system');
    });
  }

  const benign = [
    'src/index.ts',
    'README.md',
    '.gitignore',
    '.env.example',
    '.env.sample',
    'config/.env.template',
    'docs/bashrc-guide.md',
    './deploy/id_ed25519',
    'package.json',
    'test/paths.test.ts',
    'file:///home/u/project/README.md',
    '/home/u/project/bin/cli.js',
    '/tmp/build/out.txt',
    '~/Documents/report.pdf',
    '/home/u/project/.github/workflows/ci.yml',
    '~/.cache/pip/wheels/x.whl',
  ];
  for (const raw of benign) {
    it(`leaves ${JSON.stringify(raw)} unclassified`, () => {
      expect(classes(raw)).toEqual([]);
    });
  }

  it('reads a public key as no credential (reading it is ordinary; writing it is not)', () => {
    expect(classes('~/.ssh/id_ed25519.pub')).not.toContain('credential');
    expect(classes('~/.ssh/id_ed25519.pub')).toContain('code-loading');
  });

  it('classifies by shape without an environment', () => {
    expect(classes('~/.zshenv', undefined)).toContain('code-loading');
    expect(classes('/home/x/.ssh/id_rsa', undefined)).toContain('credential');
    expect(classes('src/app.ts', undefined)).toEqual([]);
  });
});
