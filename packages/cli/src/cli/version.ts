import { readFileSync } from 'node:fs';

const PACKAGE_NAME = '@governed-mcp/cli';

/**
 * The version of the installed `@governed-mcp/cli`, read from its package.json at run time. The file is
 * two folders up from the sources (`src/cli/`) and three from the build (`dist/src/cli/`).
 */
export function cliVersion(from: string = import.meta.url): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    let text: string;
    try {
      text = readFileSync(new URL(up, from), 'utf8');
    } catch {
      continue;
    }
    const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
    if (pkg.name === PACKAGE_NAME && typeof pkg.version === 'string') return pkg.version;
  }
  throw new Error(`cannot find the package.json of ${PACKAGE_NAME} from ${from}`);
}
