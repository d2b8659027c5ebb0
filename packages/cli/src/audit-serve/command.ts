import { access } from 'node:fs/promises';
import { type CheckpointVerifier, readVerifierKeyFile } from '@governed-mcp/core/node';
import type { Command } from 'commander';
import { ExitCode } from '../cli/exit-codes.js';
import { createLogger, defaultLogFormat } from '../runner/log.js';
import { createAuditSource, DEFAULT_MAX_RECORDS } from './data.js';
import { isLoopback, startAuditServer } from './server.js';

interface ServeOptions {
  listen: string;
  allowRemote?: boolean;
  json?: boolean;
  key?: string;
  maxRecords?: string;
}

function usage(message: string): void {
  process.stderr.write(`governed-mcp: ${message}\n`);
  process.exitCode = ExitCode.Usage;
}

/** Splits `HOST:PORT` (`[::1]:PORT` for IPv6); undefined when malformed. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = Number(m?.[3]);
  if (m === null || port > 65535) return undefined;
  return { host: m[1] ?? m[2] ?? '', port };
}

/**
 * `audit serve FILE… [--listen HOST:PORT] [--allow-remote] [--key PUB] [--json]`: a read-only web page
 * over audit logs. Exit 0 on SIGINT/SIGTERM, 2 on bad arguments or an unreadable file, 3 when the
 * address cannot be bound.
 */
export function registerServe(audit: Command): void {
  audit
    .command('serve')
    .description('Serve a read-only web page over audit logs (loopback by default)')
    .argument('<files...>', 'audit logs (JSON Lines)')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:0')
    .option('--allow-remote', 'allow a non-loopback --listen address (the page has no login)')
    .option('--key <file>', 'the public key (.pub) to verify each <file>.checkpoint with')
    .option('--max-records <n>', `records kept in memory (default ${DEFAULT_MAX_RECORDS})`)
    .option('--json', 'log JSON lines on stderr even on a terminal')
    .action(async (files: string[], opts: ServeOptions) => {
      const listen = parseListen(opts.listen);
      if (listen === undefined) return usage(`--listen takes HOST:PORT, not '${opts.listen}'`);
      if (!isLoopback(listen.host) && opts.allowRemote !== true) {
        return usage(
          `refusing to serve on non-loopback address ${listen.host}: the page has no login; pass --allow-remote to do it anyway`,
        );
      }
      const max = opts.maxRecords === undefined ? DEFAULT_MAX_RECORDS : Number(opts.maxRecords);
      if (!Number.isSafeInteger(max) || max < 1) return usage('--max-records takes a positive integer');
      for (const f of files) {
        try {
          await access(f);
        } catch (err) {
          return usage(`cannot read ${f}: ${(err as Error).message}`);
        }
      }
      let key: CheckpointVerifier | undefined;
      if (opts.key !== undefined) {
        try {
          key = await readVerifierKeyFile(opts.key);
        } catch (err) {
          return usage(`cannot use key ${opts.key}: ${(err as Error).message}`);
        }
      }
      const log = createLogger('info', { format: opts.json === true ? 'json' : defaultLogFormat() });
      const data = createAuditSource(files, { maxRecords: max, ...(key === undefined ? {} : { key }) });
      try {
        await data();
      } catch (err) {
        return usage(`cannot read the audit logs: ${(err as Error).message}`);
      }
      let server: Awaited<ReturnType<typeof startAuditServer>>;
      try {
        server = await startAuditServer({ ...listen, data });
      } catch (err) {
        process.stderr.write(`governed-mcp: cannot listen on ${opts.listen}: ${(err as Error).message}\n`);
        process.exitCode = ExitCode.StartFailed;
        return;
      }
      log.info('listening', { url: server.url, files: files.length });
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      log.info('stopped', {});
      process.exitCode = ExitCode.Ok;
    });
}
