import { copyFile, link, mkdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import {
  type CachedModel,
  hasGgufMagic,
  isModelName,
  ModelErrorCode,
  type ModelRecord,
  modelError,
  modelPath,
  readModelRecord,
  sha256File,
  writeModelRecord,
} from './cache.js';
import { type CatalogEntry, findCatalogEntry, findCatalogEntryBySha256 } from './catalog.js';
import { type DownloadProgress, downloadFile, parseDownloadUrl } from './download.js';

/** What `model pull` was asked. */
export interface PullRequest {
  /** A catalogue name or an http(s) URL. */
  readonly spec: string;
  readonly sha256?: string;
  readonly name?: string;
  readonly force?: boolean;
  readonly stallTimeoutMs?: number;
  readonly onProgress?: DownloadProgress;
}

/** A model that is now in the cache, and whether this call put it there. */
export interface StoredModel extends CachedModel {
  /** False when the same file (same sha256) was already cached under that name. */
  readonly added: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;

function checkName(name: string): string {
  if (!isModelName(name)) {
    throw modelError(
      ModelErrorCode.InvalidName,
      `'${name}' is not a model name: letters, digits, '.', '_' and '-', up to 128, without .gguf`,
    );
  }
  return name;
}

/** The model name a file or URL path suggests: its base name without `.gguf`. */
function nameFrom(path: string): string {
  return basename(path).replace(/\.gguf$/i, '');
}

/**
 * Undefined when `name` is free; the cached model when it holds the same file; throws model_exists
 * when it holds another one and `force` is not set.
 */
async function existing(
  dir: string,
  name: string,
  sha256: string,
  force: boolean,
): Promise<StoredModel | undefined> {
  const record = await readModelRecord(dir, name);
  const path = modelPath(dir, name);
  const present = await stat(path).then(
    () => true,
    () => false,
  );
  if (record === undefined || !present) return undefined;
  if (record.sha256 === sha256) return { record, path, added: false };
  if (force) return undefined;
  throw modelError(
    ModelErrorCode.ModelExists,
    `a different model named '${name}' is in the cache (sha256 ${record.sha256}); pass --force to replace it`,
  );
}

/**
 * `model pull`: downloads a catalogue entry or a URL into the cache dir, checking its sha256. A URL
 * needs `sha256`, or a `name` of a catalogue entry whose checksum is then used.
 */
export async function pullModel(dir: string, req: PullRequest): Promise<StoredModel> {
  if (req.sha256 !== undefined && !HEX64.test(req.sha256)) {
    throw modelError(
      ModelErrorCode.InvalidChecksum,
      `--sha256 takes 64 lower-case hex digits, not '${req.sha256}'`,
    );
  }
  let entry: CatalogEntry | undefined;
  let url: string;
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(req.spec)) {
    url = parseDownloadUrl(req.spec).href;
    entry = req.name === undefined ? undefined : findCatalogEntry(req.name);
  } else {
    entry = findCatalogEntry(req.spec);
    if (entry === undefined) {
      throw modelError(
        ModelErrorCode.UnknownModel,
        `no model named '${req.spec}' in the catalogue; see \`governed-mcp model list\`, or pull a URL with --sha256`,
      );
    }
    const first = entry.urls[0];
    if (first === undefined) {
      throw modelError(
        ModelErrorCode.NoSource,
        `'${entry.name}' has no verified download URL: pull a URL of ${entry.file} with --name ${entry.name} (its checksum is checked), or \`governed-mcp model add PATH\``,
      );
    }
    url = first;
  }
  const sha256 = req.sha256 ?? entry?.sha256;
  if (sha256 === undefined) {
    throw modelError(
      ModelErrorCode.ChecksumRequired,
      'a URL needs --sha256 HEX (the expected checksum of the file), or --name of a catalogue entry',
    );
  }
  if (entry !== undefined && sha256 !== entry.sha256) {
    throw modelError(
      ModelErrorCode.InvalidChecksum,
      `--sha256 differs from the catalogue's checksum of '${entry.name}' (${entry.sha256})`,
    );
  }
  const name = checkName(
    req.name ?? entry?.name ?? findCatalogEntryBySha256(sha256)?.name ?? nameFrom(new URL(url).pathname),
  );
  await mkdir(dir, { recursive: true });
  const already = await existing(dir, name, sha256, req.force === true);
  if (already !== undefined) return already;
  const done = await downloadFile({
    url,
    dest: modelPath(dir, name),
    sha256,
    ...(entry?.size === undefined ? {} : { size: entry.size }),
    ...(req.stallTimeoutMs === undefined ? {} : { stallTimeoutMs: req.stallTimeoutMs }),
    ...(req.onProgress === undefined ? {} : { onProgress: req.onProgress }),
  });
  const record: ModelRecord = {
    name,
    source: url,
    sha256,
    size: done.size,
    ...(entry === undefined ? {} : { licence: entry.licence.name }),
    addedAt: new Date().toISOString(),
  };
  await writeModelRecord(dir, record);
  return { record, path: done.path, added: true };
}

/**
 * `model add`: puts a local GGUF into the cache (a hard link when the file system allows, else a copy),
 * after checking its magic bytes and computing its sha256. A catalogue file is named after its entry.
 */
export async function addModel(
  dir: string,
  file: string,
  options: { name?: string; force?: boolean } = {},
): Promise<StoredModel> {
  const source = resolve(file);
  const info = await stat(source).catch(() => undefined);
  if (info === undefined || !info.isFile()) {
    throw modelError(ModelErrorCode.NotFound, `no file at '${file}'`);
  }
  if (!(await hasGgufMagic(source))) {
    throw modelError(ModelErrorCode.NotGguf, `'${file}' is not a GGUF file (it does not start with 'GGUF')`);
  }
  const sha256 = await sha256File(source);
  const entry = findCatalogEntryBySha256(sha256);
  const name = checkName(options.name ?? entry?.name ?? nameFrom(source));
  await mkdir(dir, { recursive: true });
  const already = await existing(dir, name, sha256, options.force === true);
  if (already !== undefined) return already;
  const dest = modelPath(dir, name);
  const part = `${dest}.part`;
  await unlink(part).catch(() => undefined);
  try {
    await link(source, part);
  } catch {
    await copyFile(source, part);
  }
  await rename(part, dest);
  const record: ModelRecord = {
    name,
    source: `file:${source}`,
    sha256,
    size: info.size,
    ...(entry === undefined ? {} : { licence: entry.licence.name }),
    addedAt: new Date().toISOString(),
  };
  await writeModelRecord(dir, record);
  return { record, path: dest, added: true };
}
