import { createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ModelErrorCode, modelError, sha256File } from './cache.js';

/** How a download reports its progress: bytes on disk so far, and the total when the server said. */
export type DownloadProgress = (received: number, total: number | undefined) => void;

/** What {@link downloadFile} needs. */
export interface DownloadOptions {
  /** An http or https URL. */
  readonly url: string;
  /** The final path; the bytes go to `<dest>.part` first, and are renamed once verified. */
  readonly dest: string;
  /** Lower-case hex sha256 the file must have. */
  readonly sha256: string;
  /** The size the file must have, when known. */
  readonly size?: number;
  /** Redirects followed before giving up (default 5). */
  readonly maxRedirects?: number;
  /** A connection that sends nothing for this long is dropped (default 30 s). */
  readonly stallTimeoutMs?: number;
  readonly onProgress?: DownloadProgress;
}

/** What a finished download did. */
export interface DownloadResult {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** Bytes of an earlier `.part` that were kept (0 when it started from nothing). */
  readonly resumedFrom: number;
}

/** Refuses anything but http and https. */
export function parseDownloadUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw modelError(ModelErrorCode.UnsupportedScheme, `'${url}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw modelError(
      ModelErrorCode.UnsupportedScheme,
      `only http and https downloads are allowed, not '${parsed.protocol}'`,
    );
  }
  return parsed;
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** GETs `url`, with a Range from `offset` when it is above 0, following redirects. */
function get(url: URL, offset: number, redirectsLeft: number, stallMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { headers: offset > 0 ? { range: `bytes=${offset}-` } : {} }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location !== undefined) {
        res.resume();
        if (redirectsLeft <= 0) {
          reject(modelError(ModelErrorCode.TooManyRedirects, `too many redirects from ${url.href}`));
          return;
        }
        let next: URL;
        try {
          next = parseDownloadUrl(new URL(res.headers.location, url).href);
        } catch (err) {
          reject(err);
          return;
        }
        get(next, offset, redirectsLeft - 1, stallMs).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    // A stalled connection (no bytes for stallMs) is dropped; the `.part` stays for a resume.
    req.setTimeout(stallMs, () =>
      req.destroy(modelError(ModelErrorCode.Stalled, `no data from ${url.host} for ${stallMs} ms`)),
    );
    req.on('error', reject);
    req.end();
  });
}

/** The first byte of a 206 response's `Content-Range: bytes START-END/TOTAL`. */
function rangeStart(res: IncomingMessage): number | undefined {
  const m = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(res.headers['content-range'] ?? '');
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

/**
 * Writes the body to the `.part`. Unlike `pipeline`, a body cut short still leaves every byte received
 * on disk (the file is ended, not destroyed), so that the next try can resume from there.
 */
function save(res: IncomingMessage, part: string, append: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(part, { flags: append ? 'a' : 'w' });
    let failure: unknown;
    let ended = false;
    const cut = (err: unknown): void => {
      failure ??= err;
      res.unpipe(file);
      if (!ended) {
        ended = true;
        file.end();
      }
    };
    res.on('error', cut);
    res.on('close', () => {
      if (!res.complete) cut(new Error('the connection closed before the body ended'));
    });
    res.on('end', () => {
      ended = true;
    });
    file.on('error', reject);
    file.on('finish', () => (failure === undefined ? resolve() : reject(failure)));
    res.pipe(file);
  });
}

/**
 * Downloads `url` to `dest`: streams into `<dest>.part` (resuming an existing one with a `Range`
 * request; a server that answers 200 instead of 206 restarts it), checks the sha256 (and size), and
 * renames it into place. On a checksum mismatch the `.part` is deleted; on an interrupted or stalled
 * transfer it is kept for the next try.
 */
export async function downloadFile(options: DownloadOptions): Promise<DownloadResult> {
  const url = parseDownloadUrl(options.url);
  const part = `${options.dest}.part`;
  const stallMs = options.stallTimeoutMs ?? 30_000;
  let offset = await sizeOf(part);
  if (options.size !== undefined && offset > options.size) {
    await unlink(part);
    offset = 0;
  }
  const resumedFrom = offset;
  const res = await get(url, offset, options.maxRedirects ?? 5, stallMs);
  const status = res.statusCode ?? 0;
  let append = false;
  if (status === 206 && offset > 0 && rangeStart(res) === offset) append = true;
  else if (status === 416 && offset > 0) {
    // The `.part` already holds every byte (or more): verify what is there.
    res.resume();
    return finish(options, part, resumedFrom);
  } else if (status !== 200) {
    res.resume();
    throw modelError(ModelErrorCode.HttpError, `HTTP ${status} from ${options.url}`);
  }
  const length = Number(res.headers['content-length']);
  const total = Number.isFinite(length) ? length + (append ? offset : 0) : undefined;
  let received = append ? offset : 0;
  res.on('data', (chunk: Buffer) => {
    received += chunk.length;
    options.onProgress?.(received, total);
  });
  try {
    await save(res, part, append);
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === ModelErrorCode.Stalled) throw err;
    throw modelError(
      ModelErrorCode.Interrupted,
      `the download of ${options.url} was cut at ${received} bytes; run the same command again to resume`,
      err,
    );
  }
  if (total !== undefined && received < total) {
    throw modelError(
      ModelErrorCode.Interrupted,
      `the download of ${options.url} ended at ${received} of ${total} bytes; run it again to resume`,
    );
  }
  return finish(options, part, resumedFrom);
}

async function finish(options: DownloadOptions, part: string, resumedFrom: number): Promise<DownloadResult> {
  const size = await sizeOf(part);
  const sha256 = await sha256File(part);
  if (sha256 !== options.sha256) {
    await unlink(part);
    throw modelError(
      ModelErrorCode.ChecksumMismatch,
      `sha256 of ${options.url} is ${sha256}, expected ${options.sha256}; the download was deleted`,
    );
  }
  if (options.size !== undefined && size !== options.size) {
    await unlink(part);
    throw modelError(
      ModelErrorCode.SizeMismatch,
      `${options.url} has ${size} bytes, expected ${options.size}`,
    );
  }
  await rename(part, options.dest);
  return { path: options.dest, size, sha256, resumedFrom };
}
