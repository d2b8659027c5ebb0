import type { Decision } from '../decision.js';
import { deny } from '../decision.js';
import { defineLayer, type Layer } from '../layer.js';
import { type ArgumentLimits, checkArguments, DEFAULT_ARGUMENT_LIMITS } from './argument-walk.js';
import { LayerCode } from './codes.js';
import { createSchemaCompiler, describeErrors, type SchemaDialect } from './schema-compiler.js';

/** The schema layer's name in reasons and traces. */
export const SCHEMA_LAYER = 'schema';

/** Options of the schema layer. */
export interface SchemaLayerOptions {
  /** Limits on the arguments, checked before validation; unset fields keep `DEFAULT_ARGUMENT_LIMITS`. */
  readonly limits?: Partial<ArgumentLimits>;
  /** Limits on the input schema document itself; defaults are twice the depth and 1 MiB. */
  readonly schemaLimits?: Partial<ArgumentLimits>;
  /** Compiled schemas kept (default 512). */
  readonly cacheSize?: number;
  /** The dialect of a schema without `$schema` (default '2020-12'). */
  readonly defaultDialect?: SchemaDialect;
  /** Check `format` keywords (default true). */
  readonly formats?: boolean;
  /** Engine for `pattern` keywords (default 're2', linear time). */
  readonly regExp?: 're2' | 'native';
  /** Validation errors reported per call (default 5). */
  readonly maxErrors?: number;
  /**
   * Receives a function that builds the validator engine ahead of the first call, for the caller to run
   * when it is idle (the proxy: while the upstream answers `initialize`). Without it, or before it has
   * run, the first call builds the engine itself; either way every call is validated the same.
   */
  readonly onPrepare?: (prepare: () => void) => void;
}

/**
 * Creates the schema layer: rejects arguments that are not plain JSON or breach a structural limit
 * (one iterative walk, before any validator runs), then validates them against the tool's input schema
 * with Ajv (draft-07, 2019-09 or 2020-12 by `$schema`), compiled once per schema content. A schema that
 * cannot be compiled denies with `schema_invalid` (fail-closed); errors carry `instancePath` and message.
 * Tool definitions are treated as immutable: a changed definition must arrive as a new object.
 * @example
 * const schema = createSchemaLayer({ limits: { maxBytes: 256 * 1024 } });
 */
export function createSchemaLayer(options: SchemaLayerOptions = {}): Layer {
  const limits: ArgumentLimits = { ...DEFAULT_ARGUMENT_LIMITS, ...options.limits };
  const maxErrors = options.maxErrors ?? 5;
  const compiler = createSchemaCompiler({
    ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
    ...(options.defaultDialect === undefined ? {} : { defaultDialect: options.defaultDialect }),
    ...(options.formats === undefined ? {} : { formats: options.formats }),
    ...(options.regExp === undefined ? {} : { regExp: options.regExp }),
    schemaLimits: {
      ...DEFAULT_ARGUMENT_LIMITS,
      maxDepth: 64,
      maxBytes: 1024 * 1024,
      ...options.schemaLimits,
    },
  });

  options.onPrepare?.(() => compiler.prepare());

  return defineLayer(SCHEMA_LAYER, function schemaLayer(ctx, next): Promise<Decision> {
    const { tool, arguments: args } = ctx.call;
    const problem = checkArguments(args, limits);
    if (problem !== undefined) {
      return Promise.resolve(
        deny(SCHEMA_LAYER, problem.code, `arguments${problem.path}: ${problem.message}`, {
          instancePath: problem.path,
        }),
      );
    }
    const compiled = compiler.compile(tool.inputSchema);
    if (!compiled.ok) {
      return Promise.resolve({
        outcome: 'deny',
        reasons: [
          {
            layer: SCHEMA_LAYER,
            code: LayerCode.SchemaInvalid,
            detail: `tool '${tool.name}' has an unusable input schema: ${compiled.message.slice(0, 300)}`,
          },
        ],
        failure: true,
      });
    }
    if (compiled.validate(args)) return next();
    const errors = describeErrors(compiled.validate.errors, maxErrors);
    const detail = errors.map((e) => `${e.instancePath || '(root)'}: ${e.message}`).join('; ');
    return Promise.resolve(
      deny(SCHEMA_LAYER, LayerCode.SchemaMismatch, `arguments do not match the input schema: ${detail}`, {
        errors,
      }),
    );
  });
}
