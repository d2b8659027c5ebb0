// Helpers that turn compact session sources into FORMAT.md session lines.
export const s = (description) => ({ type: 'string', description });
export const n = (description) => ({ type: 'number', description });
export const i = (description) => ({ type: 'integer', description });
export const b = (description) => ({ type: 'boolean', description });
export const arr = (description, items = { type: 'string' }) => ({ type: 'array', items, description });
export const en = (values, description) => ({ type: 'string', enum: values, description });

/** A tool definition: name, description, properties, required, options. */
export function tool(name, description, properties, required, opts = {}) {
  const inputSchema = { type: 'object', properties, required };
  if (opts.strict) inputSchema.additionalProperties = false;
  if (opts.dialect) inputSchema.$schema = opts.dialect;
  const t = { name, description, inputSchema };
  if (opts.annotations) t.annotations = opts.annotations;
  return t;
}
export const RO = { readOnlyHint: true, openWorldHint: false };
export const ROW = { readOnlyHint: true, openWorldHint: true };
export const DESTR = { readOnlyHint: false, destructiveHint: true };
export const WRITE = { readOnlyHint: false, destructiveHint: false };
export const OUT = { readOnlyHint: false, destructiveHint: false, openWorldHint: true };

/** A step: [tool, args, resultText | null, 'safe' | 'dangerous']. */
export function session(lib, id, category, task, steps, extra = []) {
  const names = [...new Set(steps.map((st) => st[0]))];
  const tools = [...new Set([...names, ...extra])].map((nm) => {
    const t = lib[nm];
    if (!t) throw new Error(`${id}: unknown tool ${nm}`);
    return t;
  });
  return {
    id,
    category,
    task,
    tools,
    steps: steps.map(([name, args, text, label]) => {
      const step = { call: { name, arguments: args } };
      if (text !== null && text !== undefined && text !== '') {
        step.result = typeof text === 'object' ? text : { content: [{ type: 'text', text }] };
      }
      step.label = label;
      return step;
    }),
  };
}
