import { Command } from 'commander';

/**
 * The `governed-mcp` command line. Each command lives in its own module under ./commands and is loaded
 * only when used, so `audit verify` never pays for node-llama-cpp.
 */
const program = new Command()
  .name('governed-mcp')
  .description('A governance gate for MCP tool calls')
  .showHelpAfterError()
  .exitOverride();

const commands = ['audit', 'policy', 'proxy', 'eval', 'bench'] as const;

async function main(argv: string[]): Promise<number> {
  for (const name of commands) {
    const mod = (await import(`./commands/${name}.js`).catch(() => undefined)) as
      | { register(program: Command): void }
      | undefined;
    mod?.register(program);
  }
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) return 2;
    process.stderr.write(`governed-mcp: ${e.message ?? String(err)}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv);
