/**
 * Generic lexicons of the verbs and objects that tool definitions use, by what they say a tool can do.
 * Words are lowercase and singular (see `wordsOf`). No list names a particular product or suite.
 */

const set = (...words: string[]): ReadonlySet<string> => new Set(words);

/** Verbs that read: with them, object words (`post`, `message`, `order`) are what is read. */
export const READ_VERBS = set(
  ...['get', 'list', 'read', 'search', 'fetch', 'view', 'show', 'find', 'retrieve', 'query', 'lookup'],
  ...['check', 'download', 'open', 'cat', 'browse', 'scan', 'count', 'describe', 'inspect', 'load'],
  ...['navigate', 'visit', 'scrape', 'crawl', 'peek', 'preview', 'explore', 'grep', 'tail', 'ls', 'stat'],
  ...['summarize', 'analyze', 'monitor', 'track', 'watch', 'receive', 'see', 'lookup', 'locate', 'recall'],
);

/** Read verbs that reach content others wrote by themselves (`fetch(url)`, `browse`). */
export const REMOTE_READ_VERBS = set('fetch', 'browse', 'navigate', 'visit', 'scrape', 'crawl', 'download');

/** Verbs that change state without saying what kind of change: the object decides the class. */
export const WRITE_VERBS = set(
  ...['update', 'set', 'reset', 'change', 'add', 'create', 'edit', 'modify', 'make', 'place', 'submit'],
  ...['initiate', 'schedule', 'put', 'patch', 'write', 'append', 'insert', 'save', 'assign', 'configure'],
  ...['enable', 'disable', 'toggle', 'apply', 'approve', 'confirm', 'rename', 'move', 'replace', 'new'],
  ...['register', 'issue', 'generate', 'rotate', 'manage', 'upsert', 'store', 'process'],
  ...['execute', 'perform', 'request', 'complete', 'book', 'reserve', 'cancel', 'remove', 'delete'],
  ...['compose', 'start', 'turn', 'install', 'allow', 'deny', 'block', 'unblock', 'activate', 'deactivate'],
  ...['attach', 'detach', 'close', 'alter', 'redirect', 'handle', 'control', 'operate', 'use', 'do'],
  ...['go', 'give', 'dispatch', 'stop', 'pause', 'resume', 'restart', 'drive', 'ship', 'adjust'],
  ...['increase', 'decrease', 'raise', 'lower', 'sync', 'import', 'upgrade', 'downgrade', 'merge'],
);

/** Verbs that say only that something is done: the description says what (`manage_records`). */
export const VAGUE_VERBS = set('manage', 'handle', 'control', 'operate', 'process', 'perform', 'use', 'do');

/** Verbs that move money whatever follows them. */
export const MONEY_VERBS = set(
  ...['pay', 'refund', 'withdraw', 'deposit', 'purchase', 'buy', 'sell', 'trade', 'donate', 'checkout'],
  ...['remit', 'invest', 'tip', 'charge', 'reimburse', 'wire', 'transact', 'payout', 'repay', 'borrow'],
  ...['lend', 'short'],
);

/** Objects that say the change concerns money. */
export const MONEY_OBJECTS = set(
  ...['money', 'fund', 'payment', 'transaction', 'transfer', 'invoice', 'bill', 'refund', 'crypto'],
  ...['bitcoin', 'btc', 'eth', 'stock', 'cash', 'iban', 'amount', 'currency', 'donation', 'rent'],
  ...['payout', 'salary', 'loan', 'order', 'purchase', 'wire', 'remittance', 'payee', 'tuition'],
  ...['trade', 'bid', 'cryptocurrency', 'wallet', 'deposit', 'withdrawal', 'bank', 'cheque', 'fee'],
);

/** Verbs that change access whatever follows them. */
export const ACCESS_VERBS = set(
  ...['grant', 'revoke', 'invite', 'kick', 'ban', 'unban', 'promote', 'demote', 'unlock', 'authorize'],
  ...['deauthorize', 'impersonate', 'share', 'unshare', 'elevate', 'sudo', 'chmod', 'chown', 'lock'],
  ...['join', 'leave', 'enroll', 'unenroll', 'subscribe'],
);

/** Objects that say the change concerns credentials, permissions or membership. */
export const ACCESS_OBJECTS = set(
  ...['password', 'passcode', 'passphrase', 'pin', 'credential', '2fa', 'mfa', 'otp', 'totp', 'factor'],
  ...['authentication', 'auth', 'permission', 'role', 'access', 'guest', 'member', 'membership', 'admin'],
  ...['administrator', 'key', 'apikey', 'token', 'acl', 'sharing', 'collaborator', 'owner', 'ownership'],
  ...['login', 'security', 'recovery', 'privilege', 'ssh', 'user', 'account', 'profile', 'lock', 'door'],
  ...['group', 'team', 'participant', 'policy', 'firewall', 'visibility', 'public', 'private', 'secret'],
);

/** Verbs that send outside whatever follows them. */
export const SEND_VERBS = set(
  ...['send', 'mail', 'email', 'message', 'post', 'publish', 'upload', 'share', 'tweet', 'retweet'],
  ...['comment', 'reply', 'forward', 'notify', 'dm', 'broadcast', 'announce', 'sms', 'fax', 'push'],
  ...['respond', 'invite', 'webhook', 'transmit', 'submit', 'fill', 'autofill'],
);

/**
 * Words that are verbs only when the name has no other verb (`post_webpage` posts; `get_posts` reads):
 * each of these is also an object.
 */
export const NOUN_VERBS = set(
  ...['post', 'message', 'email', 'mail', 'comment', 'reply', 'tweet', 'text', 'share', 'order', 'call'],
  ...['chat', 'sms', 'dm', 'webhook', 'transfer', 'trade', 'deposit', 'tip', 'wire', 'check', 'lock'],
  ...['issue', 'request', 'schedule', 'book', 'store', 'process', 'run', 'export', 'push'],
  ...['submit', 'invite', 'fax', 'stat', 'track', 'watch', 'monitor', 'refund', 'purchase', 'payout'],
  ...['charge', 'key', 'block', 'turn', 'start', 'allow', 'ping', 'ban', 'cat', 'load', 'count', 'set'],
  ...['new', 'manage', 'short', 'list', 'deploy', 'handle', 'control', 'use', 'do', 'leave', 'close'],
);

/** Objects that, with a generic write verb, say the change sends something outside. */
export const SEND_OBJECTS = set(
  ...['email', 'mail', 'message', 'dm', 'sms', 'tweet', 'post', 'comment', 'reply', 'review', 'issue'],
  ...['webhook', 'notification', 'invitation', 'letter', 'fax', 'pull', 'discussion', 'status', 'story'],
  ...['announcement', 'newsletter', 'reaction', 'thread', 'gist', 'paste', 'campaign', 'broadcast'],
);

/** Verbs that delete whatever follows them. */
export const DELETE_VERBS = set(
  ...['delete', 'remove', 'erase', 'wipe', 'purge', 'destroy', 'drop', 'unlink', 'rm', 'rmdir'],
  ...['truncate', 'trash', 'discard', 'uninstall', 'cancel', 'clear', 'shred', 'terminate', 'overwrite'],
  ...['expunge', 'unpublish', 'evict'],
);

/** Verbs that run code whatever follows them. */
export const EXEC_VERBS = set(
  ...['exec', 'execute', 'run', 'shell', 'eval', 'evaluate', 'spawn', 'deploy', 'invoke', 'launch'],
  ...['interpret', 'compile', 'build', 'install', 'sudo'],
);

/** Objects (or whole names) that say code runs: `terminal`, `command`, `script`, `python`. */
export const EXEC_OBJECTS = set(
  ...['terminal', 'command', 'cmd', 'script', 'python', 'bash', 'sh', 'powershell', 'shell', 'code'],
  ...['javascript', 'js', 'node', 'repl', 'jupyter', 'notebook', 'cell', 'sql', 'process', 'program'],
  ...['container', 'docker', 'kubectl', 'lambda', 'function', 'job', 'workflow', 'pipeline', 'test'],
  ...['macro', 'binary', 'executable', 'playbook', 'snippet', 'subprocess', 'console', 'zsh', 'ruby'],
);

/** Objects that, when read, are sensitive: credentials, money, health, identity, private messages. */
export const SENSITIVE_OBJECTS = set(
  ...['password', 'passcode', 'credential', 'secret', 'token', 'key', 'apikey', 'balance', 'transaction'],
  ...['iban', 'account', 'bank', 'medical', 'health', 'ssn', 'passport', 'contact', 'private', 'inbox'],
  ...['personal', 'profile', 'address', 'salary', 'payroll', 'card', 'payment', 'statement', 'tax'],
  ...['insurance', 'diagnosis', 'prescription', 'patient', 'email', 'mail', 'message', 'dm', 'history'],
  ...['location', 'gps', 'phone', 'identity', 'cookie', 'session', 'env', 'environment', 'keychain'],
  ...['wallet', 'vault', 'ssh', 'login', 'otp', '2fa', 'mfa', 'pin', 'genetic', 'dna'],
  ...['biometric', 'fingerprint', 'birth', 'license', 'security', 'invoice', 'bill', 'order', 'statement'],
  ...['customer', 'employee', 'client', 'portfolio', 'investment', 'holding', 'loan', 'mortgage'],
  ...['credit', 'debit', 'income', 'expense', 'budget', 'fund', 'money', 'financial', 'finance'],
);

/** Objects that carry content others wrote: pages, mail, files, issues, reviews, channels, calendars. */
export const UNTRUSTED_OBJECTS = set(
  ...['web', 'webpage', 'page', 'url', 'site', 'website', 'browser', 'inbox', 'email', 'mail', 'message'],
  ...['channel', 'chat', 'file', 'document', 'doc', 'review', 'issue', 'comment', 'post', 'calendar'],
  ...['event', 'note', 'tweet', 'feed', 'news', 'repo', 'repository', 'readme', 'pull', 'ticket'],
  ...['article', 'wiki', 'forum', 'thread', 'rss', 'transcript', 'notification', 'content', 'product'],
  ...['dm', 'sms', 'reply', 'mention', 'timeline', 'attachment', 'link', 'html', 'result', 'blog'],
  ...['story', 'video', 'podcast', 'recipe', 'listing', 'rating', 'feedback', 'discussion', 'snippet'],
  ...['text', 'pdf', 'spreadsheet', 'sheet', 'slide', 'folder', 'directory', 'drive', 'clipboard', 'log'],
  ...['task', 'todo', 'memo', 'question', 'answer', 'resume', 'gist'],
);

/** Input-schema property names that mark a tool that moves money. */
export const MONEY_PROPERTIES = set('iban', 'amount', 'recipient_iban', 'account_number', 'routing_number');
/** Property names of a command to run. */
export const EXEC_PROPERTIES = set('command', 'cmd', 'script', 'shell_command', 'code_to_run', 'source_code');
/** Property names of a recipient. */
export const RECIPIENT_PROPERTIES = set('to', 'recipient', 'recipients', 'cc', 'bcc', 'email', 'receiver');
/** Property names of a message body. */
export const BODY_PROPERTIES = set('body', 'message', 'content', 'text', 'subject', 'data', 'payload');
