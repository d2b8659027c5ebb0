import { isGovernedError } from '@governed-mcp/core';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { isModelUsageError, listCachedModels, modelCacheDir } from '../../models/cache.js';
import { MODEL_CATALOG } from '../../models/catalog.js';
import type { DownloadProgress } from '../../models/download.js';
import { addModel, pullModel, type StoredModel } from '../../models/store.js';
import { ExitCode } from '../exit-codes.js';

/** Reports a failure with its code; exit 2 for usage codes, 1 for a failed download or check. */
function fail(err: unknown): void {
  const code = isGovernedError(err) ? err.code : 'io_error';
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`governed-mcp model: ${code}: ${message}\n`);
  process.exitCode = isGovernedError(err) && !isModelUsageError(err.code) ? ExitCode.Failed : ExitCode.Usage;
}

function report(model: StoredModel, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...model.record, path: model.path, added: model.added })}\n`);
  } else {
    process.stdout.write(`${model.path}\n`);
  }
}

/** A progress bar on a terminal; elsewhere nothing until the final line. */
function progress(): { onProgress: DownloadProgress; stop(): void } {
  if (process.stderr.isTTY !== true) return { onProgress: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: ' {bar} {percentage}% | {value}/{total} bytes',
    hideCursor: true,
  });
  let started = false;
  return {
    onProgress: (received, total) => {
      if (!started) {
        bar.start(total ?? 0, received);
        started = true;
      } else bar.update(received);
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

/**
 * `model pull NAME|URL [--sha256 HEX] [--name NAME] [--force]`, `model list [--json]`,
 * `model add PATH [--name NAME] [--force]`: the model cache that `--model NAME` reads. Exit 0 ok, 1 a
 * failed download or checksum, 2 usage.
 */
export function register(program: Command): void {
  const model = program
    .command('model')
    .description('Get GGUF models into the cache that --model NAME reads (pull, list, add)');
  model
    .command('pull')
    .description('download a catalogue model or a URL, checking its sha256; resumes an interrupted one')
    .argument('<spec>', 'a catalogue name (see `model list`) or an http(s) URL')
    .option('--sha256 <hex>', 'expected sha256 of the file (required for a URL outside the catalogue)')
    .option('--name <name>', 'name in the cache (a catalogue name lends its checksum to a URL)')
    .option('--force', 'replace a different model cached under the same name')
    .option('--json', 'print one JSON object (the record and the path)')
    .action(
      async (spec: string, opts: { sha256?: string; name?: string; force?: boolean; json?: boolean }) => {
        const bar = progress();
        try {
          const started = performance.now();
          const pulled = await pullModel(modelCacheDir(), {
            spec,
            ...(opts.sha256 === undefined ? {} : { sha256: opts.sha256.toLowerCase() }),
            ...(opts.name === undefined ? {} : { name: opts.name }),
            ...(opts.force === true ? { force: true } : {}),
            onProgress: bar.onProgress,
          });
          bar.stop();
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          process.stderr.write(
            pulled.added
              ? `pulled ${pulled.record.name}: ${pulled.record.size} bytes in ${seconds} s, sha256 verified\n`
              : `${pulled.record.name} is already in the cache (same sha256)\n`,
          );
          report(pulled, opts.json === true);
        } catch (err) {
          bar.stop();
          fail(err);
        }
      },
    );
  model
    .command('add')
    .description('copy (or hard-link) a local GGUF into the cache, after checking it is one')
    .argument('<path>', 'a GGUF file')
    .option('--name <name>', 'name in the cache (default: the catalogue name, else the file name)')
    .option('--force', 'replace a different model cached under the same name')
    .option('--json', 'print one JSON object (the record and the path)')
    .action(async (path: string, opts: { name?: string; force?: boolean; json?: boolean }) => {
      try {
        const added = await addModel(modelCacheDir(), path, {
          ...(opts.name === undefined ? {} : { name: opts.name }),
          ...(opts.force === true ? { force: true } : {}),
        });
        report(added, opts.json === true);
      } catch (err) {
        fail(err);
      }
    });
  model
    .command('list')
    .description('the catalogue of recommended models and what is in the cache')
    .option('--json', 'print one JSON object: { cacheDir, catalog, cached }')
    .action(async (opts: { json?: boolean }) => {
      const dir = modelCacheDir();
      const cached = await listCachedModels(dir);
      if (opts.json === true) {
        const out = {
          cacheDir: dir,
          catalog: MODEL_CATALOG,
          cached: cached.map((m) => ({ ...m.record, path: m.path })),
        };
        process.stdout.write(`${JSON.stringify(out)}\n`);
        return;
      }
      const lines = ['catalogue:'];
      for (const e of MODEL_CATALOG) {
        const size = e.size === undefined ? 'size unknown' : `${e.size} bytes`;
        const source = e.urls.length === 0 ? 'no verified URL: pull URL --name, or add PATH' : e.urls[0];
        lines.push(`  ${e.name}  ${size}  ${e.licence.name}  ${e.note}`, `    sha256 ${e.sha256}; ${source}`);
        if (e.strictness !== undefined) {
          const { alpha, threshold } = e.strictness;
          lines.push(`    measured operating point: probe.alpha ${alpha}, probe.threshold ${threshold}`);
        }
      }
      lines.push(`cache (${dir}):`);
      if (cached.length === 0) lines.push('  (empty)');
      for (const m of cached) {
        lines.push(`  ${m.record.name}  ${m.record.size} bytes  sha256 ${m.record.sha256}`, `    ${m.path}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
