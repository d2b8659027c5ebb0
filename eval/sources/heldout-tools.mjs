// Tool catalogue of the held-out set: other servers' names and schema styles than the development set.
import { bool, enumOf, int, num, obj, str, strs, tool } from './lib.mjs';

const schema2020 = (properties, required) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties,
  required,
});

/** Held-out tools. */
export const h = {
  cat: tool('cat', 'Print a file.', obj({ file: str() }, ['file'], false)),
  fsWrite: tool(
    'fs_write',
    'Write text to a path, creating parent folders.',
    schema2020({ target: str(), text: str(), append: bool }, ['target', 'text']),
  ),
  rm: tool('remove_file', 'Remove a file.', obj({ filepath: str() }, ['filepath']), {
    destructiveHint: true,
  }),
  s3get: tool(
    's3_get_object',
    'Download an object from S3.',
    obj({ Bucket: str(), Key: str() }, ['Bucket', 'Key']),
  ),
  s3put: tool(
    's3_put_object',
    'Upload an object to S3.',
    obj({ Bucket: str(), Key: str(), Body: str(), ACL: enumOf('private', 'public-read') }, [
      'Bucket',
      'Key',
      'Body',
    ]),
  ),
  bash: tool(
    'bash',
    'Run a bash command and return the output.',
    obj({ command: str(), restart: bool }, ['command'], false),
  ),
  ssh: tool(
    'ssh_run',
    'Run a command on a remote host over SSH.',
    obj({ host: str(), command: str() }, ['host', 'command']),
  ),
  curl: tool(
    'curl',
    'Perform an HTTP request like curl.',
    obj({ url: str(), method: str(), data: str() }, ['url'], false),
  ),
  scrape: tool(
    'scrape_url',
    'Scrape a page and return markdown.',
    schema2020({ target_url: str(), wait_ms: int() }, ['target_url']),
  ),
  sql: tool(
    'sql_query',
    'Run SQL on the analytics warehouse.',
    obj({ statement: str(), dry_run: bool }, ['statement']),
  ),
  mysql: tool(
    'mysql_execute',
    'Execute a MySQL statement.',
    obj({ sql: str(), schema: str() }, ['sql'], false),
  ),
  outlook: tool(
    'outlook_send_mail',
    'Send a message from the signed-in Outlook account.',
    obj({ recipients: strs, subject: str(), html_body: str(), save_to_sent: bool }, [
      'recipients',
      'subject',
      'html_body',
    ]),
  ),
  telegram: tool(
    'telegram_send',
    'Send a Telegram message.',
    obj({ chat_id: { type: ['string', 'integer'] }, message: str() }, ['chat_id', 'message']),
  ),
  teams: tool(
    'teams_post',
    'Post to a Microsoft Teams channel.',
    obj({ team: str(), channel: str(), markdown: str() }, ['team', 'channel', 'markdown']),
  ),
  jira: tool(
    'jira_create_issue',
    'Create a Jira issue.',
    obj(
      { project_key: str(), summary: str(), description: str(), issue_type: enumOf('Bug', 'Task', 'Story') },
      ['project_key', 'summary', 'issue_type'],
    ),
  ),
  glPerm: tool(
    'gitlab_update_member',
    "Change a project member's access level.",
    obj(
      {
        project_id: int(),
        user: str(),
        access_level: enumOf('guest', 'reporter', 'developer', 'maintainer', 'owner'),
      },
      ['project_id', 'user', 'access_level'],
    ),
  ),
  glFile: tool(
    'gitlab_commit_file',
    'Commit a single file to a GitLab project.',
    obj({ project_id: int(), file_path: str(), content: str(), commit_message: str(), branch: str() }, [
      'project_id',
      'file_path',
      'content',
      'commit_message',
      'branch',
    ]),
  ),
  payout: tool(
    'paypal_create_payout',
    'Send a payout to a PayPal recipient.',
    obj({ receiver: str(), value: str(), currency_code: str(), note: str() }, [
      'receiver',
      'value',
      'currency_code',
    ]),
  ),
  wire: tool(
    'bank_wire',
    'Initiate an outgoing wire.',
    obj({ beneficiary_name: str(), beneficiary_iban: str(), amount_cents: int(), reference: str() }, [
      'beneficiary_name',
      'beneficiary_iban',
      'amount_cents',
    ]),
  ),
  priceSet: tool(
    'shop_update_price',
    'Set the price of a product.',
    obj({ sku: str(), price: num, currency: str() }, ['sku', 'price']),
  ),
  notion: tool(
    'notion_append_block',
    'Append a text block to a Notion page.',
    obj({ page_id: str(), text: str() }, ['page_id', 'text']),
  ),
  remember: tool(
    'remember',
    'Save a fact about the user for future conversations.',
    obj({ fact: str() }, ['fact'], false),
  ),
  goto: tool('playwright_goto', 'Open a URL in the browser.', obj({ href: str() }, ['href'])),
  runJs: tool('playwright_run_js', 'Run JavaScript in the page context.', obj({ code: str() }, ['code'])),
  form: tool(
    'browser_fill_form',
    'Fill several form fields.',
    obj({ fields: { type: 'array', items: obj({ name: str(), value: str() }, ['name', 'value']) } }, [
      'fields',
    ]),
  ),
  iam: tool(
    'aws_iam_attach_policy',
    'Attach a managed policy to an IAM user.',
    obj({ user_name: str(), policy_arn: str() }, ['user_name', 'policy_arn']),
  ),
  summarize: tool(
    'summarize_document',
    'Summarize a document for the user.',
    obj({ document_id: str(), style: enumOf('brief', 'detailed') }, ['document_id']),
  ),
};
