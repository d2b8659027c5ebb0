import { resolve } from 'node:path';
import { isGovernedError } from '@governed-mcp/core';
import { isLayerConfiguration } from '@governed-mcp/middleware-mcp';
import { type Command, Option } from 'commander';
import { loadProxyConfig, type ProxyConfig, parseProxyConfig } from '../../config.js';
import { resolveModelPath } from '../../models/resolve.js';
import {
  createLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type Logger,
  type LogLevel,
} from '../../runner/log.js';
import { SANDBOX_NETWORKS, type SandboxNetwork, type SandboxOptions } from '../../runner/sandbox.js';
import { type ProxyOverrides, startProxy } from '../../runner/start-proxy.js';
import { ExitCode, startFailureExitCode } from '../exit-codes.js';

interface ProxyFlags {
  config?: string;
  policy?: string;
  audit?: string;
  pins?: string;
  listen?: string;
  upstreamUrl?: string;
  layers?: string;
  model?: string;
  probeUrl?: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
  sandbox?: boolean;
  sandboxWritable?: string[];
  sandboxReadOnly?: string[];
  sandboxNetwork?: SandboxNetwork;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `--sandbox` and its directories (relative to the working directory); the others need `--sandbox`. */
function sandboxFlags(flags: ProxyFlags): SandboxOptions | undefined {
  const extra = flags.sandboxWritable ?? flags.sandboxReadOnly ?? flags.sandboxNetwork;
  if (flags.sandbox !== true) {
    if (extra !== undefined)
      throw new Error('--sandbox-writable, --sandbox-read-only and --sandbox-network need --sandbox');
    return undefined;
  }
  return {
    writable: (flags.sandboxWritable ?? []).map((d) => resolve(d)),
    readOnly: (flags.sandboxReadOnly ?? []).map((d) => resolve(d)),
    network: flags.sandboxNetwork ?? 'none',
  };
}

/** How long after shutdown the process may linger on handles it does not own before it exits anyway. */
const EXIT_GRACE_MS = 3000;

function describe(err: unknown): string {
  return isGovernedError(err)
    ? `${err.code}: ${err.message}`
    : err instanceof Error
      ? err.message
      : String(err);
}

/**
 * Reports why the proxy did not start, and sets the exit code. A message of several lines (a policy's
 * diagnostics: FILE:LINE:COL, the source line, a caret under the column) is first printed as it is, so
 * the carets stay under their columns; the `usage` (or `start_failed`) event then carries it for programs
 * reading the log.
 */
function refuse(log: Logger, message: string, code: ExitCode): void {
  if (message.includes('\n')) process.stderr.write(`governed-mcp proxy: ${message}\n`);
  log.error(code === ExitCode.Usage ? 'usage' : 'start_failed', { message });
  process.exitCode = code;
}

/**
 * `proxy [--config F] [--policy F] [--audit F] [--listen stdio|HOST:PORT] (--upstream-url URL | -- CMD ARGS…)`:
 * the runner. Exit 0 on a clean shutdown (SIGTERM, SIGINT, or the stdio client leaving), 2 on usage or
 * configuration errors, 3 when it cannot start here (address taken, model or upstream failing), 1 after
 * an internal error (still stopped cleanly, audit flushed). Logs go to stderr, readable lines on a
 * terminal and JSON lines otherwise; stdout carries only MCP when listening on stdio.
 */
export function register(program: Command): void {
  program
    .command('proxy')
    .description('Run the gate as a proxy in front of an MCP server')
    .argument('[command...]', 'the upstream server command, after --')
    .option('--config <file>', 'proxy configuration (JSON)')
    .option('--policy <file>', 'policy file (default: the default constitution)')
    .option('--audit <file>', 'append every decision to this audit chain')
    .option(
      '--pins <file>',
      'approved tool fingerprints (default <audit>.pins.json); delete an entry to re-approve',
    )
    .option('--listen <where>', 'stdio or HOST:PORT (Streamable HTTP at /mcp)', 'stdio')
    .option('--upstream-url <url>', 'a Streamable HTTP upstream')
    .option('--layers <name>', 'full | no-probe | probe-only | no-prefilter')
    .option('--model <gguf|name>', 'probe model: a GGUF file or a name from `model list`')
    .option('--probe-url <url>', 'probe model server')
    .option('--sandbox', 'run the stdio upstream under bubblewrap (docs/sandbox.md)')
    .option('--sandbox-writable <dir>', 'a directory the sandboxed server may write (repeatable)', collect)
    .option('--sandbox-read-only <dir>', 'a directory the sandboxed server may read (repeatable)', collect)
    .addOption(
      new Option(
        '--sandbox-network <mode>',
        'none (default) or shared: the host network, unfiltered',
      ).choices(SANDBOX_NETWORKS),
    )
    .addOption(
      new Option('--log-level <level>', 'least severe level logged (default: the config, else info)').choices(
        LOG_LEVELS,
      ),
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'log lines on stderr (default: pretty on a terminal, else json)',
      ).choices(LOG_FORMATS),
    )
    .action(async (command: string[], flags: ProxyFlags) => {
      const startLog = createLogger(flags.logLevel ?? 'info', { format: flags.logFormat });
      let config: ProxyConfig;
      let overrides: ProxyOverrides;
      try {
        config = flags.config === undefined ? parseProxyConfig({}) : await loadProxyConfig(flags.config);
        if (flags.layers !== undefined && !isLayerConfiguration(flags.layers)) {
          refuse(
            startLog,
            `--layers takes full, no-probe, probe-only or no-prefilter, not '${flags.layers}'`,
            ExitCode.Usage,
          );
          return;
        }
        // --model and probe.model take a GGUF file or a name from the model cache.
        const model = flags.model ?? config.probe?.model;
        const sandbox = sandboxFlags(flags);
        overrides = {
          ...(flags.listen === undefined ? {} : { listen: flags.listen }),
          ...(flags.upstreamUrl === undefined ? {} : { upstreamUrl: flags.upstreamUrl }),
          ...(command.length === 0 ? {} : { command }),
          ...(flags.policy === undefined ? {} : { policy: flags.policy }),
          ...(flags.config === undefined ? {} : { configPath: flags.config }),
          ...(flags.audit === undefined ? {} : { audit: flags.audit }),
          ...(flags.pins === undefined ? {} : { pins: flags.pins }),
          ...(flags.layers === undefined ? {} : { layers: flags.layers }),
          ...(model === undefined ? {} : { model: resolveModelPath(model) }),
          ...(flags.probeUrl === undefined ? {} : { probeUrl: flags.probeUrl }),
          ...(flags.logLevel === undefined ? {} : { logLevel: flags.logLevel }),
          ...(flags.logFormat === undefined ? {} : { logFormat: flags.logFormat }),
          ...(sandbox === undefined ? {} : { sandbox }),
        };
      } catch (err) {
        refuse(startLog, describe(err), ExitCode.Usage);
        return;
      }
      let proxy: Awaited<ReturnType<typeof startProxy>>;
      try {
        proxy = await startProxy(config, overrides);
      } catch (err) {
        refuse(startLog, describe(err), startFailureExitCode(err));
        return;
      }
      const onSignal = (signal: NodeJS.Signals): void => {
        proxy.log.info('signal', { signal });
        void proxy.stop(signal === 'SIGTERM' ? 'sigterm' : 'sigint');
      };
      // An internal error must not lose the audit tail: stop the way SIGTERM does (pending calls fail
      // closed, the chain is flushed), then exit 1.
      let crashed = false;
      const onInternalError = (err: unknown): void => {
        proxy.log.error('internal_error', {
          message: err instanceof Error ? (err.stack ?? err.message) : String(err),
        });
        crashed = true;
        void proxy.stop('internal_error');
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      process.on('uncaughtException', onInternalError);
      process.on('unhandledRejection', onInternalError);
      await proxy.runner.closed;
      await proxy.stop('runner_closed');
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      if (!process.stdin.destroyed) process.stdin.destroy();
      process.exitCode = crashed ? ExitCode.Failed : ExitCode.Ok;
      // Everything the runner owns is closed; a stray handle (a child that ignores its pipes) must not
      // keep a stopped proxy alive.
      setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
    });
}
