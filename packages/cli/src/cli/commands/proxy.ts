import { isGovernedError } from '@governed-mcp/core';
import type { Command } from 'commander';
import { isLayerConfiguration } from '../../assembly.js';
import { loadProxyConfig, type ProxyConfig, parseProxyConfig } from '../../config.js';
import { type ProxyOverrides, startProxy } from '../../runner/start-proxy.js';

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
}

/** How long after shutdown the process may linger on handles it does not own before it exits anyway. */
const EXIT_GRACE_MS = 3000;

function fail(message: string): void {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: 'error', event: 'usage', message })}\n`,
  );
  process.exitCode = 2;
}

/**
 * `proxy [--config F] [--policy F] [--audit F] [--listen stdio|HOST:PORT] (--upstream-url URL | -- CMD ARGS…)`:
 * the runner. Exit 0 on a clean shutdown (SIGTERM, SIGINT, or the stdio client leaving), 2 on usage or
 * configuration errors, 1 after an internal error (still stopped cleanly, audit flushed). Logs are JSON
 * lines on stderr; stdout carries only MCP when listening on stdio.
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
    .option('--model <gguf>', 'probe model (GGUF)')
    .option('--probe-url <url>', 'probe model server')
    .action(async (command: string[], flags: ProxyFlags) => {
      let config: ProxyConfig;
      let overrides: ProxyOverrides;
      try {
        config = flags.config === undefined ? parseProxyConfig({}) : await loadProxyConfig(flags.config);
        if (flags.layers !== undefined && !isLayerConfiguration(flags.layers)) {
          fail(`--layers takes full, no-probe, probe-only or no-prefilter, not '${flags.layers}'`);
          return;
        }
        overrides = {
          ...(flags.listen === undefined ? {} : { listen: flags.listen }),
          ...(flags.upstreamUrl === undefined ? {} : { upstreamUrl: flags.upstreamUrl }),
          ...(command.length === 0 ? {} : { command }),
          ...(flags.policy === undefined ? {} : { policy: flags.policy }),
          ...(flags.config === undefined ? {} : { configPath: flags.config }),
          ...(flags.audit === undefined ? {} : { audit: flags.audit }),
          ...(flags.pins === undefined ? {} : { pins: flags.pins }),
          ...(flags.layers === undefined ? {} : { layers: flags.layers }),
          ...(flags.model === undefined ? {} : { model: flags.model }),
          ...(flags.probeUrl === undefined ? {} : { probeUrl: flags.probeUrl }),
        };
      } catch (err) {
        fail(isGovernedError(err) ? `${err.code}: ${err.message}` : String(err));
        return;
      }
      let proxy: Awaited<ReturnType<typeof startProxy>>;
      try {
        proxy = await startProxy(config, overrides);
      } catch (err) {
        fail(isGovernedError(err) ? `${err.code}: ${err.message}` : String(err));
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
      process.exitCode = crashed ? 1 : 0;
      // Everything the runner owns is closed; a stray handle (a child that ignores its pipes) must not
      // keep a stopped proxy alive.
      setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
    });
}
