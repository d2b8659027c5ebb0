import { Command } from 'commander';
import { ExitCode } from './exit-codes.js';
import { cliVersion } from './version.js';

/**
 * The `governed-mcp` command line. Each command lives in its own module under ./commands, and only the
 * module of the command being run is loaded: `audit verify` never pays for node-llama-cpp.
 */
const COMMANDS = ['audit', 'policy', 'proxy', 'config', 'eval', 'bench', 'model'] as const;

/** Flags answered by the program itself, for which no command module is loaded. */
const VERSION_FLAGS: ReadonlySet<string | undefined> = new Set(['-V', '--version']);

async function load(program: Command, name: string): Promise<void> {
  const mod = (await import(`./commands/${name}.js`)) as { register(program: Command): void };
  mod.register(program);
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('governed-mcp')
    .description('A governance gate for MCP tool calls')
    .version(cliVersion(), '-V, --version', 'print the version and exit')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failed (a check said no, or the work failed), 2 usage, 3 the proxy could not start.\nSee docs/cli.md.',
    );
  const wanted = argv[2];
  const only = COMMANDS.find((c) => c === wanted);
  try {
    const modules = VERSION_FLAGS.has(wanted) ? [] : only === undefined ? COMMANDS : [only];
    for (const name of modules) await load(program, name);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return ExitCode.Ok;
    // Commander has already printed what was wrong (and the help, after an error).
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return ExitCode.Usage;
    // A command that throws has failed at its work; what it was given was checked before.
    process.stderr.write(`governed-mcp: ${e.message ?? String(err)}\n`);
    return ExitCode.Failed;
  }
}

process.exitCode = await main(process.argv);
