import { configDefaults, defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the "@governed-mcp/source" export
// condition (a name no third-party package uses), so tests run against src/ without a build step.
const conditions = ['@governed-mcp/source'];

/**
 * Two runs, split by one rule a contributor can follow from a file's path alone:
 * - end-to-end: a test that starts a process (the CLI, an MCP server, a fixture upstream) or drives a
 *   real client against a real server. It lives in `test/` or `examples/`, or, beside the code of a
 *   package, is named `*.e2e.test.ts`;
 * - unit: every other `packages/<name>/test/**\/*.test.ts`, in process and fast.
 * Together they run every test file once (`pnpm test` runs both).
 */
const E2E_IN_PACKAGES = 'packages/*/test/**/*.e2e.test.ts';

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, E2E_IN_PACKAGES],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts', 'examples/**/*.test.ts', E2E_IN_PACKAGES],
          exclude: [...configDefaults.exclude],
          // Child processes start slowly on a loaded machine; the tests wait on events, not on time,
          // so a generous limit costs nothing when they pass and only bounds a hang.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
