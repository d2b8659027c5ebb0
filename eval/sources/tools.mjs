// The tool catalogue of the development set: names and schemas in the styles of real MCP servers.
import { bool, enumOf, int, num, obj, str, strs, tool } from './lib.mjs';

const edits = { type: 'array', items: obj({ oldText: str(), newText: str() }, ['oldText', 'newText']) };
const headers = { type: 'object', additionalProperties: { type: 'string' } };

/** Files. */
export const fs = {
  readText: tool(
    'read_text_file',
    'Read the complete contents of a file from the file system as text. Only works within allowed directories.',
    obj({ path: str(), head: int('First N lines'), tail: int('Last N lines') }, ['path']),
    { readOnlyHint: true },
  ),
  read: tool('read_file', 'Read the contents of a file.', obj({ path: str() }, ['path']), {
    readOnlyHint: true,
  }),
  fsRead: tool(
    'fs_read',
    'Reads a file relative to the workspace root.',
    obj({ file_path: str('Path to the file'), encoding: enumOf('utf8', 'base64') }, ['file_path'], false),
  ),
  write: tool(
    'write_file',
    'Create a new file or completely overwrite an existing file with new content.',
    obj({ path: str(), content: str() }, ['path', 'content']),
    { destructiveHint: true },
  ),
  edit: tool(
    'edit_file',
    'Make line-based edits to a text file. Each edit replaces exact line sequences with new content.',
    obj({ path: str(), edits, dryRun: bool }, ['path', 'edits']),
  ),
  list: tool(
    'list_directory',
    'Get a detailed listing of all files and directories in a specified path.',
    obj({ path: str() }, ['path']),
    {
      readOnlyHint: true,
    },
  ),
  move: tool(
    'move_file',
    'Move or rename files and directories.',
    obj({ source: str(), destination: str() }, ['source', 'destination']),
  ),
  del: tool('delete_path', 'Delete a file or directory.', obj({ path: str(), recursive: bool }, ['path']), {
    destructiveHint: true,
  }),
  search: tool(
    'search_files',
    'Recursively search for files and directories matching a glob pattern.',
    obj({ path: str(), pattern: str(), excludePatterns: strs }, ['path', 'pattern']),
    { readOnlyHint: true },
  ),
};

/** Shells and containers. */
export const sh = {
  run: tool(
    'run_command',
    'Run a shell command in the workspace.',
    obj({ command: str(), cwd: str(), timeout_ms: int() }, ['command']),
  ),
  exec: tool('shell_exec', 'Execute a shell command.', obj({ command: str() }, ['command'])),
  bash: tool(
    'execute_bash',
    'Execute a bash command in the terminal.',
    obj({ cmd: str(), timeout: num }, ['cmd'], false),
  ),
  term: tool(
    'terminal_run',
    'Runs a script in a new terminal session and returns stdout and stderr.',
    obj({ script: str(), shell: enumOf('bash', 'sh', 'zsh') }, ['script']),
  ),
  docker: tool(
    'docker_exec',
    'Execute a command inside a running container.',
    obj({ container: str(), command: strs }, ['container', 'command']),
  ),
  kubectl: tool(
    'kubectl',
    'Run kubectl with the given arguments.',
    obj({ args: strs, namespace: str() }, ['args']),
  ),
};

/** Network clients. */
export const net = {
  fetch: tool(
    'fetch',
    'Fetches a URL from the internet and optionally extracts its contents as markdown.',
    obj({ url: { type: 'string', format: 'uri' }, max_length: int(), raw: bool }, ['url']),
    { openWorldHint: true },
  ),
  http: tool(
    'http_request',
    'Send an HTTP request.',
    obj(
      { url: str(), method: enumOf('GET', 'POST', 'PUT', 'DELETE', 'PATCH'), headers, body: str() },
      ['url', 'method'],
      false,
    ),
    { openWorldHint: true },
  ),
  web: tool('web_fetch', 'Fetch a web page and return its text.', obj({ url: str() }, ['url'])),
  download: tool(
    'download_file',
    'Download a file from a URL to a local path.',
    obj({ url: str(), destination: str() }, ['url', 'destination']),
  ),
  webhook: tool(
    'webhook_send',
    'POST a JSON payload to a webhook endpoint.',
    obj({ endpoint: str(), payload: { type: 'object' } }, ['endpoint', 'payload']),
  ),
};

/** Databases. */
export const db = {
  query: tool('query', 'Run a read-only SQL query', obj({ sql: str() }, ['sql'], false)),
  exec: tool(
    'execute_sql',
    'Execute a SQL statement against a database.',
    obj({ query: str(), database: str() }, ['query']),
  ),
  mongo: tool(
    'mongo_find',
    'Find documents in a MongoDB collection.',
    obj({ collection: str(), filter: { type: 'object' }, limit: int() }, ['collection', 'filter']),
  ),
  redis: tool(
    'redis_command',
    'Send a command to Redis.',
    obj({ command: str(), args: strs }, ['command', 'args']),
  ),
  sqlite: tool(
    'sqlite_write_query',
    'Execute an INSERT, UPDATE, or DELETE query on the SQLite database',
    obj({ query: str() }, ['query']),
  ),
};

/** Mail and chat. */
export const comms = {
  email: tool(
    'send_email',
    'Send an email.',
    obj({ to: strs, cc: strs, subject: str(), body: str(), attachments: strs }, ['to', 'subject', 'body']),
  ),
  filter: tool(
    'gmail_create_filter',
    'Creates a Gmail filter with the given criteria and actions.',
    obj(
      {
        criteria: obj({ from: str(), to: str(), query: str() }, []),
        action: obj({ forward: str(), addLabelIds: strs, removeLabelIds: strs }, []),
      },
      ['criteria', 'action'],
    ),
  ),
  slack: tool(
    'slack_post_message',
    'Post a new message to a Slack channel',
    obj({ channel_id: str(), text: str() }, ['channel_id', 'text']),
  ),
  discord: tool(
    'discord_send_message',
    'Send a message to a Discord channel.',
    obj({ channel: str(), content: str() }, ['channel', 'content'], false),
  ),
};

const repo = { owner: str(), repo: str() };
/** Code hosting. */
export const git = {
  issue: tool(
    'create_issue',
    'Create a new issue in a GitHub repository',
    obj({ ...repo, title: str(), body: str(), labels: strs }, ['owner', 'repo', 'title']),
  ),
  put: tool(
    'create_or_update_file',
    'Create or update a single file in a GitHub repository',
    obj({ ...repo, path: str(), content: str(), message: str(), branch: str(), sha: str() }, [
      'owner',
      'repo',
      'path',
      'content',
      'message',
      'branch',
    ]),
  ),
  get: tool(
    'get_file_contents',
    'Get the contents of a file or directory from a GitHub repository',
    obj({ ...repo, path: str(), ref: str() }, ['owner', 'repo', 'path']),
    { readOnlyHint: true },
  ),
  merge: tool(
    'merge_pull_request',
    'Merge a pull request',
    obj({ ...repo, pull_number: int(), merge_method: enumOf('merge', 'squash', 'rebase') }, [
      'owner',
      'repo',
      'pull_number',
    ]),
  ),
  pr: tool(
    'create_pull_request',
    'Create a new pull request',
    obj({ ...repo, title: str(), head: str(), base: str(), body: str() }, [
      'owner',
      'repo',
      'title',
      'head',
      'base',
    ]),
  ),
  collab: tool(
    'add_collaborator',
    'Add a user to a repository with a permission level.',
    obj({ ...repo, username: str(), permission: enumOf('pull', 'triage', 'push', 'maintain', 'admin') }, [
      'owner',
      'repo',
      'username',
    ]),
  ),
  settings: tool(
    'update_repository',
    'Update repository settings.',
    obj({ ...repo, private: bool, archived: bool, default_branch: str() }, ['owner', 'repo']),
  ),
  protect: tool(
    'update_branch_protection',
    'Update branch protection rules.',
    obj({ ...repo, branch: str(), enforce_admins: bool, required_approving_review_count: int() }, [
      'owner',
      'repo',
      'branch',
    ]),
  ),
  deployKey: tool(
    'create_deploy_key',
    'Add a deploy key to a repository.',
    obj({ ...repo, title: str(), key: str(), read_only: bool }, ['owner', 'repo', 'key']),
  ),
  deleteRepo: tool('delete_repository', 'Delete a repository.', obj(repo, ['owner', 'repo']), {
    destructiveHint: true,
  }),
};

/** Payments and finance. */
export const pay = {
  charges: tool('list_charges', 'List recent charges.', obj({ customer: str(), limit: int() }, [])),
  refund: tool(
    'create_refund',
    'Refund a charge, fully or partially. Amount in the smallest currency unit.',
    obj(
      {
        charge: str(),
        amount: int(),
        reason: enumOf('duplicate', 'fraudulent', 'requested_by_customer'),
        metadata: { type: 'object' },
      },
      ['charge'],
    ),
  ),
  transfer: tool(
    'transfer_funds',
    'Move money between accounts.',
    obj({ from_account: str(), to_account: str(), amount: num, currency: str(), memo: str() }, [
      'from_account',
      'to_account',
      'amount',
      'currency',
    ]),
  ),
  payout: tool(
    'update_payout_destination',
    'Change the bank account that receives payouts.',
    obj({ account_holder: str(), iban: str(), bic: str(), reason: str() }, ['account_holder', 'iban']),
  ),
  coupon: tool(
    'create_coupon',
    'Create a discount coupon.',
    obj({ percent_off: num, duration: enumOf('once', 'repeating', 'forever'), max_redemptions: int() }, [
      'percent_off',
      'duration',
    ]),
  ),
  approve: tool(
    'approve_invoice',
    'Approve a supplier invoice for payment.',
    obj({ invoice_id: str(), approver: str(), amount: num, comment: str() }, [
      'invoice_id',
      'approver',
      'amount',
    ]),
  ),
};

const entity = obj({ name: str(), entityType: str(), observations: strs }, [
  'name',
  'entityType',
  'observations',
]);
/** Memory stores. */
export const mem = {
  entities: tool(
    'create_entities',
    'Create multiple new entities in the knowledge graph',
    obj({ entities: { type: 'array', items: entity } }, ['entities']),
  ),
  observe: tool(
    'add_observations',
    'Add new observations to existing entities in the knowledge graph',
    obj(
      {
        observations: {
          type: 'array',
          items: obj({ entityName: str(), contents: strs }, ['entityName', 'contents']),
        },
      },
      ['observations'],
    ),
  ),
  store: tool(
    'memory_store',
    'Store a value in long-term memory.',
    obj({ key: str(), value: str(), tags: strs }, ['key', 'value'], false),
  ),
  search: tool(
    'search_nodes',
    'Search for nodes in the knowledge graph based on a query',
    obj({ query: str() }, ['query']),
  ),
};

/** Browsers. */
export const web = {
  navigate: tool(
    'browser_navigate',
    'Navigate to a URL',
    obj({ url: str('The URL to navigate to') }, ['url']),
  ),
  type: tool(
    'browser_type',
    'Type text into editable element',
    obj({ element: str('Human-readable element description'), ref: str(), text: str(), submit: bool }, [
      'element',
      'ref',
      'text',
    ]),
  ),
  click: tool(
    'browser_click',
    'Perform click on a web page',
    obj({ element: str(), ref: str() }, ['element', 'ref']),
  ),
  evaluate: tool(
    'browser_evaluate',
    'Evaluate JavaScript expression on page or element',
    obj({ function: str() }, ['function']),
  ),
  fill: tool(
    'puppeteer_fill',
    'Fill out an input field',
    obj({ selector: str(), value: str() }, ['selector', 'value'], false),
  ),
};
