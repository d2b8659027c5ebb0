import { Command } from 'commander';

/**
 * The `governed-mcp` command line. Each command lives in its own module under ./commands, and only the
 * module of the command being run is loaded: `audit verify` never pays for node-llama-cpp.
 */
const COMMANDS = ['audit', 'policy', 'proxy', 'config', 'eval', 'bench'] as const;

async function load(program: Command, name: string): Promise<void> {
  const mod = (await import(`./commands/${name}.js`)) as { register(program: Command): void };
  mod.register(program);
}

async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name('governed-mcp')
    .description('A governance gate for MCP tool calls')
    .showHelpAfterError()
    .exitOverride();
  const wanted = argv[2];
  const only = COMMANDS.find((c) => c === wanted);
  try {
    for (const name of only === undefined ? COMMANDS : [only]) await load(program, name);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const e = err as { code?: string; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return 2;
    process.stderr.write(`governed-mcp: ${e.message ?? String(err)}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv);
