import type { Command } from 'commander';
import { configJsonSchema, renderConfigReference } from '../../config-reference.js';

/**
 * `config schema` prints the proxy configuration file's JSON Schema; `config doc` prints the reference
 * page (`governed-mcp config doc > docs/config.md`), both generated from the zod schema.
 */
export function register(program: Command): void {
  const config = program.command('config').description('The proxy configuration file');
  config
    .command('schema')
    .description('Print the JSON Schema of the configuration file')
    .action(() => {
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
    });
  config
    .command('doc')
    .description('Print the configuration reference (Markdown), as in docs/config.md')
    .action(() => {
      process.stdout.write(renderConfigReference());
    });
}
