import { readFile, rename, writeFile } from 'node:fs/promises';
import { ErrorCode, GovernedError } from '@governed-mcp/core';
import { z } from 'zod';
import { createMemoryPinStore, type PinStore } from './pins.js';

/** The pin file: reviewed fingerprints, one per (server, tool). */
const PinFileSchema = z.strictObject({
  version: z.literal(1),
  pins: z.array(
    z.strictObject({
      server: z.string(),
      tool: z.string().min(1).max(128),
      fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    }),
  ),
});

/** A pin store kept in a JSON file, so pins (and so rug-pull detection) survive restarts. */
export interface PinFile extends PinStore {
  readonly path: string;
  /** Resolves once every change so far is on disk; rejects if a write failed. */
  flush(): Promise<void>;
}

/**
 * Opens a pin file (created on the first pin if missing). A file that does not parse is refused rather
 * than treated as empty: an empty store would re-trust whatever the server lists next. Writes replace
 * the file atomically (temporary file, then rename) and are serialized.
 * @example
 * const pins = await openPinFile('governed-mcp.pins.json');
 * createMediator({ gate, pins });
 */
export async function openPinFile(path: string): Promise<PinFile> {
  let seed: z.infer<typeof PinFileSchema>['pins'] = [];
  try {
    const parsed = PinFileSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success)
      throw new GovernedError(
        ErrorCode.InvalidConfig,
        `pin file ${path}: ${parsed.error.issues[0]?.message}`,
      );
    seed = parsed.data.pins;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      if (err instanceof GovernedError) throw err;
      throw new GovernedError(ErrorCode.InvalidConfig, `pin file ${path} is not valid JSON`, { cause: err });
    }
  }
  const store = createMemoryPinStore(seed);
  let writing: Promise<void> = Promise.resolve();
  let failure: unknown;
  const persist = (): void => {
    const text = `${JSON.stringify({ version: 1, pins: store.entries() }, null, 2)}\n`;
    writing = writing.then(async () => {
      const tmp = `${path}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, text, { mode: 0o640 });
        await rename(tmp, path);
      } catch (err) {
        failure = err;
      }
    });
  };
  return {
    path,
    get: (server, tool) => store.get(server, tool),
    set(server, tool, fingerprint) {
      store.set(server, tool, fingerprint);
      persist();
    },
    async flush() {
      await writing;
      if (failure !== undefined)
        throw new GovernedError(ErrorCode.Io, `could not write pin file ${path}`, { cause: failure });
    },
  };
}
