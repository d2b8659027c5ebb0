import { existsSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import {
  isModelName,
  ModelErrorCode,
  modelCacheDir,
  modelError,
  modelPath,
  readModelRecord,
} from './cache.js';
import { type CatalogEntry, MODEL_CATALOG } from './catalog.js';

/** True when `value` is written as a path (has a separator or ends in `.gguf`) rather than a name. */
function looksLikePath(value: string): boolean {
  return isAbsolute(value) || value.includes('/') || value.includes('\\') || /\.gguf$/i.test(value);
}

/**
 * The GGUF file that `--model VALUE` (or `probe.model`) means: an existing file is used as is; a value
 * written as a path that does not exist is passed on unchanged, for the loader to report as before;
 * anything else is a model name looked up in the cache. Throws GovernedError('unknown_model') for a
 * name the cache does not hold.
 *
 * @example resolveModelPath('gemma-3-270m-q4_k_m') // '~/.cache/governed-mcp/models/gemma-3-270m-q4_k_m.gguf'
 */
export function resolveModelPath(value: string, env: NodeJS.ProcessEnv = process.env): string {
  if (existsSync(value) && statSync(value).isFile()) return value;
  if (looksLikePath(value)) return value;
  const dir = modelCacheDir(env);
  const path = modelPath(dir, value);
  if (isModelName(value) && existsSync(path)) return path;
  throw modelError(
    ModelErrorCode.UnknownModel,
    `'${value}' is neither a file nor a model in the cache (${dir}); see \`governed-mcp model list\``,
  );
}

/** A recommended model found in the cache. */
export interface CachedRecommendedModel {
  readonly entry: CatalogEntry;
  readonly path: string;
}

/**
 * The first model of the recommended catalogue that the cache holds with its record (so it was pulled
 * or added, and checked against its checksum then), or undefined. What a program that turns the
 * semantic layer on "when a model is there" uses, such as the demo.
 */
export async function findCachedRecommendedModel(
  env: NodeJS.ProcessEnv = process.env,
): Promise<CachedRecommendedModel | undefined> {
  const dir = modelCacheDir(env);
  for (const entry of MODEL_CATALOG) {
    const path = modelPath(dir, entry.name);
    const record = await readModelRecord(dir, entry.name);
    if (record !== undefined && record.sha256 === entry.sha256 && existsSync(path)) return { entry, path };
  }
  return undefined;
}
