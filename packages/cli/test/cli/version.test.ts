import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliVersion } from '../../src/cli/version.js';

/** A package folder laid out like an install: package.json at the top, the build under dist/src/cli/. */
function installedLayout(name: string, version: string): string {
  const root = mkdtempSync(join(tmpdir(), 'gmcp-version-'));
  mkdirSync(join(root, 'dist/src/cli'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name, version }));
  return pathToFileURL(join(root, 'dist/src/cli/version.js')).href;
}

describe('cliVersion', () => {
  it('reads the version of the sources from the package.json two folders up', () => {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(cliVersion(new URL('../../src/cli/version.ts', import.meta.url).href)).toBe(manifest.version);
  });

  it('reads the version of the build from the package.json three folders up', () => {
    expect(cliVersion(installedLayout('@governed-mcp/cli', '7.8.9-rc.1'))).toBe('7.8.9-rc.1');
  });

  it('refuses the package.json of another package rather than print its version', () => {
    expect(() => cliVersion(installedLayout('some-app', '1.0.0'))).toThrow(/@governed-mcp\/cli/);
  });
});
