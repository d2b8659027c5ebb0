import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GovernedError } from '@governed-mcp/core';
import { z } from 'zod';

/**
 * Error codes of the model commands. Usage codes exit 2 (fix the command line), the others exit 1
 * (the download or the check failed).
 */
export const ModelErrorCode = {
  InvalidName: 'invalid_model_name',
  UnknownModel: 'unknown_model',
  UnsupportedScheme: 'unsupported_scheme',
  ChecksumRequired: 'checksum_required',
  InvalidChecksum: 'invalid_checksum',
  NoSource: 'no_source',
  ModelExists: 'model_exists',
  NotGguf: 'not_gguf',
  NotFound: 'file_not_found',
  HttpError: 'http_error',
  TooManyRedirects: 'too_many_redirects',
  Interrupted: 'download_interrupted',
  Stalled: 'download_stalled',
  ChecksumMismatch: 'checksum_mismatch',
  SizeMismatch: 'size_mismatch',
} as const;

/** One of {@link ModelErrorCode}. */
export type ModelErrorCode = (typeof ModelErrorCode)[keyof typeof ModelErrorCode];

const USAGE_CODES: ReadonlySet<string> = new Set([
  ModelErrorCode.InvalidName,
  ModelErrorCode.UnknownModel,
  ModelErrorCode.UnsupportedScheme,
  ModelErrorCode.ChecksumRequired,
  ModelErrorCode.InvalidChecksum,
  ModelErrorCode.NoSource,
  ModelErrorCode.ModelExists,
  ModelErrorCode.NotGguf,
  ModelErrorCode.NotFound,
]);

/** A GovernedError of the model commands. */
export function modelError(code: ModelErrorCode, message: string, cause?: unknown): GovernedError {
  return new GovernedError(code, message, cause === undefined ? undefined : { cause });
}

/** True when a model error means "fix the command line" (exit 2) rather than "the work failed" (exit 1). */
export function isModelUsageError(code: string): boolean {
  return USAGE_CODES.has(code);
}

/** What the cache keeps beside each `<name>.gguf`, as `<name>.json`. */
export const ModelRecordSchema = z.strictObject({
  name: z.string(),
  /** The URL it was downloaded from, or `file:` and the path it was added from. */
  source: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  licence: z.string().optional(),
  addedAt: z.string(),
});

/** A cached model's record. */
export type ModelRecord = z.infer<typeof ModelRecordSchema>;

/** A cached model: its record and where its file is. */
export interface CachedModel {
  readonly record: ModelRecord;
  readonly path: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True for a name the cache accepts: letters, digits, `.`, `_`, `-`, not starting with a dot. */
export function isModelName(name: string): boolean {
  return NAME.test(name) && !name.endsWith('.gguf') && !name.endsWith('.part');
}

/**
 * The cache directory: `$GOVERNED_MCP_MODELS`, else `$XDG_CACHE_HOME/governed-mcp/models`, else
 * `~/.cache/governed-mcp/models` (Windows: `%LOCALAPPDATA%\governed-mcp\models`).
 */
export function modelCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.GOVERNED_MCP_MODELS !== undefined && env.GOVERNED_MCP_MODELS !== '') return env.GOVERNED_MCP_MODELS;
  if (env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '') {
    return join(env.XDG_CACHE_HOME, 'governed-mcp', 'models');
  }
  if (platform === 'win32' && env.LOCALAPPDATA !== undefined && env.LOCALAPPDATA !== '') {
    return join(env.LOCALAPPDATA, 'governed-mcp', 'models');
  }
  return join(env.HOME ?? homedir(), '.cache', 'governed-mcp', 'models');
}

/** The model file of `name` in `dir`. */
export function modelPath(dir: string, name: string): string {
  return join(dir, `${name}.gguf`);
}

/** The record of `name` in `dir`, or undefined when there is none (or it is not readable). */
export async function readModelRecord(dir: string, name: string): Promise<ModelRecord | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, `${name}.json`), 'utf8');
  } catch {
    return undefined;
  }
  const parsed = ModelRecordSchema.safeParse(JSON.parse(text) as unknown);
  return parsed.success ? parsed.data : undefined;
}

/** Writes `<name>.json` atomically (a temporary file, then a rename). */
export async function writeModelRecord(dir: string, record: ModelRecord): Promise<void> {
  const target = join(dir, `${record.name}.json`);
  await writeFile(`${target}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
  await rename(`${target}.tmp`, target);
}

/** Every model in the cache that has both its file and its record, by name. */
export async function listCachedModels(dir: string): Promise<CachedModel[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const models: CachedModel[] = [];
  for (const file of names.filter((n) => n.endsWith('.gguf')).sort()) {
    const name = file.slice(0, -'.gguf'.length);
    const record = await readModelRecord(dir, name);
    if (record !== undefined) models.push({ record, path: join(dir, file) });
  }
  return models;
}

/** The lower-case hex sha256 of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/** True when the file starts with the GGUF magic bytes (`GGUF`). */
export async function hasGgufMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await handle.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.toString('latin1') === 'GGUF';
  } finally {
    await handle.close();
  }
}
