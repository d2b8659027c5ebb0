import { CANONICAL_LAYERS } from '@governed-mcp/middleware-mcp';

/** The custom-layer example; the runner tests run this very configuration (fixtures/custom-layers.proxy.json). */
export const CUSTOM_LAYER_EXAMPLE = {
  customLayers: [
    {
      module: './layers/spend-limit.mjs',
      export: 'spendLimit',
      before: 'policy',
      options: {
        tool: 'transfer',
        field: 'amountCents',
        limits: { standard: 10000, trusted: 100000 },
      },
    },
  ],
} as const;

/**
 * The module of the custom-layer example as the docs print it; the runner tests load this very text
 * (fixtures/layers/spend-limit.mjs).
 */
export const SPEND_LIMIT_MODULE: readonly string[] = [
  "import { defineLayer, deny, withReason } from '@governed-mcp/core';",
  '',
  'export function spendLimit({ tool, field, limits }) {',
  "  return defineLayer('spend-limit', async (ctx, next) => {",
  '    if (ctx.call.tool.name !== tool) return next();',
  '    const limit = limits[ctx.call.principal.tier] ?? 0;',
  '    const amount = Number(ctx.call.arguments[field]);',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source the docs print as it is.
  "    if (!(amount <= limit)) return deny('spend-limit', 'over_limit', `${field} above ${limit}`);",
  "    return withReason(await next(), { layer: 'spend-limit', code: 'within_limit' });",
  '  });',
  '}',
];

/** The "Custom layers" section of docs/config.md, as lines. */
export function customLayersSection(): string[] {
  return [
    '## Custom layers',
    '',
    'A `customLayers` entry loads a module of yours when the proxy starts and runs its layer in the same',
    'pipeline as the built-in ones, with the same guarantees: a layer that throws, hangs past its',
    '`timeoutMs` (or the call deadline), returns something that is not a decision, calls `next()` twice or',
    'does not await it denies the call (`layer_threw`, `layer_timeout`, `layer_invalid_decision`,',
    '`next_called_twice`, `next_not_awaited`), and the audit record names your layer. A layer is written with',
    '`defineLayer` from `@governed-mcp/core`; the export is that layer, or a factory called once with',
    '`options` (it may be async). For example, `layers/spend-limit.mjs`:',
    '',
    '```js',
    ...SPEND_LIMIT_MODULE,
    '```',
    '',
    '- **Where it runs.** `before` or `after` names one built-in layer; in pipeline order they are',
    `  ${CANONICAL_LAYERS.map((l) => `\`${l}\``).join(', ')}. When the layer set leaves that layer out`,
    '  (`before: "probe"` under `no-probe`), yours runs where it would have run. Entries that land between',
    '  the same two built-in layers run in the order listed. Custom layers only add to the pipeline: none',
    '  can remove, replace or reorder a built-in layer.',
    "- **Fail closed, always.** A layer that asks for `failMode: 'open'` is refused.",
    '- **Loaded once.** Modules load when the proxy starts, before the built-in layers; a change to one',
    '  applies from the next start.',
    "- **Protected.** The module files are the gate's own files, like the policy and the audit: the `paths` layer",
    '  denies a call that names them (`gate_state`).',
    '- **Refused at start-up** (`invalid_config`, exit 2), naming the entry: a module that is not found or',
    '  throws while loading; an export it lacks; an export that is not a layer (no `name`, no `intercept`',
    '  function) or a factory that throws or returns none; `options` for an export that is not a factory; a',
    '  layer name taken by a built-in layer (or `pipeline`, `audit`, `mediation`) or by another entry; a',
    '  position naming no built-in layer.',
    '',
  ];
}
