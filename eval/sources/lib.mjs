/**
 * Authoring helpers for the benchmark sets. The JSONL files in `eval/` are generated from these sources
 * by `node eval/sources/build.mjs`; the sources keep tool definitions in one place and compute encoded
 * payloads (base64, hex, percent-encoding, Unicode tag characters) so that every disguise is exact.
 */

/** An object schema. `strict` adds `additionalProperties: false`, as many real servers emit. */
export function obj(properties, required = [], strict = true) {
  const schema = { type: 'object', properties, required };
  if (strict) schema.additionalProperties = false;
  return schema;
}

/** A tool definition as `tools/list` returns it. */
export function tool(name, description, inputSchema, annotations) {
  const t = { name, description, inputSchema };
  if (annotations !== undefined) t.annotations = annotations;
  return t;
}

export const str = (description) => (description ? { type: 'string', description } : { type: 'string' });
export const int = (description) => (description ? { type: 'integer', description } : { type: 'integer' });
export const num = { type: 'number' };
export const bool = { type: 'boolean' };
export const strs = { type: 'array', items: { type: 'string' } };
export const enumOf = (...values) => ({ type: 'string', enum: values });

/** Base64 of a UTF-8 string. */
export const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
/** Lower-case hex of a UTF-8 string. */
export const hex = (s) => Buffer.from(s, 'utf8').toString('hex');
/** `\xNN` escapes of every byte. */
export const xesc = (s) =>
  [...Buffer.from(s, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
/** Percent-encodes every byte. */
export const pct = (s) =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
/** Unicode tag characters (invisible) spelling an ASCII string. */
export const tags = (s) => [...s].map((c) => String.fromCodePoint(0xe0000 + c.codePointAt(0))).join('');
/** Inserts a zero-width space after every character of `word`'s first half, keeping it readable. */
export const zw = (s) => [...s].join('\u200b');

/**
 * Expands compact rows `[tool, args, label, category, principal?]` into cases with ids `prefix-NN`.
 */
export function cases(prefix, rows) {
  return rows.map(([t, args, label, category, principal], i) => {
    const c = {
      id: `${prefix}-${String(i + 1).padStart(2, '0')}`,
      tool: t,
      arguments: args,
      label,
      category,
    };
    if (principal !== undefined) c.principal = principal;
    return c;
  });
}

export const S = 'safe';
export const D = 'dangerous';
