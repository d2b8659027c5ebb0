/**
 * The maintained secret rules (secretlint's recommended preset: cloud, VCS, registry, chat, payment and
 * model-provider tokens, private keys, connection strings, Vault tokens), set up once per process and
 * run synchronously on each text. `lintSource` builds every rule, translator and event emitter again for
 * each text it lints; a gate scans every field of every result, so that set-up was most of a scan.
 * The rules are stateless between texts (their patterns are used through `matchAll`, which copies them),
 * and the findings are those `lintSource` reports (a test compares the two on a corpus).
 */
import { rules as recommendedRules } from '@secretlint/secretlint-rule-preset-recommend';
import type { Finding } from './redaction-rules.js';

/** What a rule reports: its message (text and id) and the UTF-16 range of the secret. */
interface Report {
  readonly message: { readonly message: string };
  readonly range: readonly [number, number];
}

/** A localised message: one function or text per locale (`en` is the one used), or one function. */
type Messages = Readonly<Record<string, unknown>>;

/** The rule context a secretlint rule is created with (the subset rules of the preset use). */
interface RuleContext {
  readonly sharedOptions: Record<string, never>;
  createTranslator(messages: Messages): (id: string, props?: unknown) => unknown;
  report(descriptor: Report): void;
  ignore(descriptor: unknown): void;
}

/** The source a rule reads: the text, as a `.txt` file with no physical path (as scans were linted). */
interface RuleSource {
  readonly hasBOM: boolean;
  readonly content: string;
  readonly filePath: string;
  readonly physicalFilePath: undefined;
  readonly contentType: 'text';
  readonly ext: string;
}

interface RuleCreator {
  readonly meta: { readonly id: string; readonly supportedContentTypes: readonly string[] };
  create(context: RuleContext, options: object): { file?(source: RuleSource): unknown };
}

const PREFIX = '@secretlint/secretlint-rule-';

/**
 * Per-rule options, as the preset was configured before: bare AWS access key ids are secrets here
 * (the rule's default reports only the secret key). `filter-comments` is left out: the text is the
 * other side's, and it must not be able to switch rules off with a `secretlint-disable` comment.
 */
const OPTIONS: Readonly<Record<string, object>> = { [`${PREFIX}aws`]: { enableIDScanRule: true } };
const LEFT_OUT = new Set([`${PREFIX}filter-comments`]);

function formatted(handler: unknown, props: unknown): string {
  if (typeof handler === 'string') return handler;
  if (typeof handler !== 'function') throw new Error('a secret rule has a message of no known form');
  return String(typeof props === 'object' && props !== null ? handler(props) : handler());
}

/** The preset's translator, for the `en` locale (the one `lintSource` used by default). */
function translator(messages: Messages): (id: string, props?: unknown) => unknown {
  return (id, props) => {
    const handler = messages[id];
    if (handler === undefined) throw new Error(`a secret rule has no message ${id}`);
    const text =
      typeof handler === 'function'
        ? formatted(handler, props)
        : formatted((handler as Record<string, unknown>).en, props);
    return { message: text, messageId: id, data: props };
  };
}

// True while a scan runs; rules run synchronously, so scans cannot interleave.
let scanning = false;

interface ReadyRule {
  readonly id: string;
  readonly file: (source: RuleSource) => unknown;
  readonly reports: Report[];
}

function setUp(): readonly ReadyRule[] {
  const ready: ReadyRule[] = [];
  for (const rule of recommendedRules as unknown as readonly RuleCreator[]) {
    const { id, supportedContentTypes: types } = rule.meta;
    if (LEFT_OUT.has(id) || !(types.includes('text') || types.includes('all'))) continue;
    const reports: Report[] = [];
    const context: RuleContext = {
      sharedOptions: {},
      createTranslator: translator,
      report: (descriptor) => {
        if (!scanning) throw new Error(`secret rule ${id} reported outside a scan`);
        reports.push(descriptor);
      },
      // Only filter-comments ignores, and it is left out; nothing in a text can withdraw a finding.
      ignore: () => {},
    };
    const handler = rule.create(context, OPTIONS[id] ?? {});
    if (handler.file !== undefined) ready.push({ id, file: handler.file.bind(handler), reports });
  }
  return ready;
}

let rules: readonly ReadyRule[] | undefined;

/**
 * Every finding of the maintained rules in `text`, sorted by range, duplicates (same range and message)
 * reported once, as `lintSource` did. Throws when a rule fails (the caller withholds the message).
 */
export function maintainedFindings(text: string): Finding[] {
  rules ??= setUp();
  const hasBOM = text.charCodeAt(0) === 0xfeff;
  // secretlint drops a leading BOM; the ranges are moved back onto the text as given.
  const shift = hasBOM ? 1 : 0;
  const source: RuleSource = {
    hasBOM,
    content: hasBOM ? text.slice(1) : text,
    filePath: '/result.txt',
    physicalFilePath: undefined,
    contentType: 'text',
    ext: '.txt',
  };
  const all: { rule: string; start: number; end: number; message: string }[] = [];
  scanning = true;
  try {
    for (const rule of rules) {
      if (rule.reports.length > 0) rule.reports.length = 0;
      const out = rule.file(source);
      if (out instanceof Promise) throw new Error(`secret rule ${rule.id} is asynchronous`);
      for (const r of rule.reports)
        all.push({
          rule: rule.id.startsWith(PREFIX) ? rule.id.slice(PREFIX.length) : rule.id,
          start: r.range[0] + shift,
          end: r.range[1] + shift,
          message: r.message.message,
        });
      if (rule.reports.length > 0) rule.reports.length = 0;
    }
  } finally {
    scanning = false;
  }
  // As secretlint: of equal reports (range and message), the last is kept; then a stable sort by range.
  const kept = all.filter(
    (a, i) => !all.some((b, j) => j > i && a.start === b.start && a.end === b.end && a.message === b.message),
  );
  kept.sort((a, b) => a.start - b.start || a.end - b.end);
  return kept.map(({ rule, start, end }) => ({ rule, start, end }));
}
