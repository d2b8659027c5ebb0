import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import addFormatsModule from 'ajv-formats';
import { RE2JS } from 're2js';
import { type ArgumentLimits, checkArguments } from './argument-walk.js';
import { BoundedCache } from './bounded-cache.js';

/** A JSON Schema dialect the schema layer validates. */
export type SchemaDialect = 'draft-07' | '2019-09' | '2020-12';

/** A compiled schema, or why it could not be compiled. */
export type CompiledSchema =
  | { readonly ok: true; readonly validate: ValidateFunction; readonly dialect: SchemaDialect }
  | { readonly ok: false; readonly message: string };

/** Options of the schema compiler. */
export interface SchemaCompilerOptions {
  /** Compiled schemas kept (default 512); the least recently used is dropped past it. */
  readonly cacheSize?: number;
  /** The dialect of a schema without `$schema` (default '2020-12', MCP's default dialect). */
  readonly defaultDialect?: SchemaDialect;
  /** Check `format` keywords with ajv-formats (default true). */
  readonly formats?: boolean;
  /**
   * The engine for `pattern` and `patternProperties` (default 're2': linear time, so a hostile
   * argument cannot make a server's pattern backtrack; patterns RE2 cannot express fail to compile).
   */
  readonly regExp?: 're2' | 'native';
  /** Limits on the schema document itself (it comes from the server, so it is input too). */
  readonly schemaLimits: ArgumentLimits;
}

/** Compiles tool input schemas once and caches them by fingerprint. */
export interface SchemaCompiler {
  compile(schema: unknown): CompiledSchema;
  /**
   * Builds the default dialect's engine (Ajv's meta-schemas, the formats) and compiles a small schema
   * with it, so the first call does not pay for either. Optional: `compile` does the same when needed.
   */
  prepare(): void;
}

/** A schema shaped like most tools' inputs, compiled once by `prepare` to warm the code generator. */
const WARM_SCHEMA = {
  type: 'object',
  properties: { text: { type: 'string', pattern: '^.*$' }, count: { type: 'integer' } },
  required: ['text'],
} as const;

// ajv-formats is CommonJS; its default export is the plugin under NodeNext interop.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const re2Engine: RegExpEngine = Object.assign(
  (pattern: string): { test: (s: string) => boolean; toString: () => string } => {
    const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
    // Ajv caches compiled patterns under toString(): it must name the pattern, not '[object Object]'.
    return { test: (s: string) => re.test(s), toString: () => `re2:${pattern}` };
  },
  { code: 'RE2JS' },
);

function dialectOf(schema: AnySchemaObject, fallback: SchemaDialect): SchemaDialect | undefined {
  const uri = schema.$schema;
  if (uri === undefined) return fallback;
  if (typeof uri !== 'string') return undefined;
  if (uri.includes('2020-12')) return '2020-12';
  if (uri.includes('2019-09')) return '2019-09';
  if (uri.includes('draft-07')) return 'draft-07';
  return undefined;
}

/** Canonical JSON (keys sorted) of a value already known to be plain JSON. */
function canonical(value: unknown): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  const body = Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`);
  return `{${body.join(',')}}`;
}

/** A short, collision-resistant name for a schema's content. */
export function schemaFingerprint(schema: unknown): string {
  return bytesToHex(blake3(utf8ToBytes(canonical(schema)), { dkLen: 16 }));
}

/** Formats Ajv's errors as `instancePath: message` entries, at most `max`. */
export function describeErrors(
  errors: readonly ErrorObject[] | null | undefined,
  max: number,
): { instancePath: string; keyword: string; message: string }[] {
  return (errors ?? []).slice(0, max).map((e) => ({
    instancePath: e.instancePath,
    keyword: e.keyword,
    message: e.message ?? e.keyword,
  }));
}

/**
 * Creates a schema compiler. A schema object seen before costs a WeakMap lookup; a new object with
 * known content costs a fingerprint; new content is compiled once. Evicted schemas are removed from
 * Ajv's own registry too, so memory stays bounded however many definitions a server invents.
 */
export function createSchemaCompiler(options: SchemaCompilerOptions): SchemaCompiler {
  const fallback = options.defaultDialect ?? '2020-12';
  const engines = new Map<SchemaDialect, Ajv>();
  const byObject = new WeakMap<object, CompiledSchema>();
  const byPrint = new BoundedCache<string, { compiled: CompiledSchema; schema: object }>(
    options.cacheSize ?? 512,
    (_key, entry) => {
      if (entry.compiled.ok) engines.get(entry.compiled.dialect)?.removeSchema(entry.schema);
    },
  );

  function engine(dialect: SchemaDialect): Ajv {
    let ajv = engines.get(dialect);
    if (ajv !== undefined) return ajv;
    const opts = {
      strict: false,
      allErrors: true,
      allowUnionTypes: true,
      validateFormats: options.formats ?? true,
      ...(options.regExp === 'native' ? {} : { code: { regExp: re2Engine } }),
    };
    ajv =
      dialect === '2020-12' ? new Ajv2020(opts) : dialect === '2019-09' ? new Ajv2019(opts) : new Ajv(opts);
    if (options.formats ?? true) addFormats(ajv);
    engines.set(dialect, ajv);
    return ajv;
  }

  function build(schema: AnySchemaObject): CompiledSchema {
    const dialect = dialectOf(schema, fallback);
    if (dialect === undefined) {
      return {
        ok: false,
        message: `unsupported $schema '${String(schema.$schema)}' (draft-07, 2019-09, 2020-12)`,
      };
    }
    const ajv = engine(dialect);
    try {
      // A schema id can be registered once per engine; a changed definition with the same id replaces it.
      if (typeof schema.$id === 'string' && ajv.getSchema(schema.$id) !== undefined)
        ajv.removeSchema(schema.$id);
      return { ok: true, validate: ajv.compile(schema), dialect };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  }

  return {
    prepare() {
      const ajv = engine(fallback);
      ajv.removeSchema(ajv.compile(WARM_SCHEMA).schema as AnySchemaObject);
    },
    compile(schema) {
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
        return { ok: false, message: 'the input schema is not an object' };
      }
      const known = byObject.get(schema);
      if (known !== undefined) return known;
      const problem = checkArguments(schema, options.schemaLimits, { forbidKeys: false });
      let compiled: CompiledSchema;
      if (problem !== undefined) {
        compiled = {
          ok: false,
          message: `the input schema is unusable at '${problem.path}': ${problem.message}`,
        };
      } else {
        const print = schemaFingerprint(schema);
        const entry = byPrint.get(print);
        if (entry !== undefined) compiled = entry.compiled;
        else {
          compiled = build(schema as AnySchemaObject);
          byPrint.set(print, { compiled, schema });
        }
      }
      byObject.set(schema, compiled);
      return compiled;
    },
  };
}
