import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the "@governed-mcp/source" export
// condition (a name no third-party package uses), so tests run against src/ without a build step.
const conditions = ['@governed-mcp/source'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
