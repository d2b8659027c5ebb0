import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the "source" export condition,
// so tests run against src/ without a build step.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // eventsource-parser (used by the MCP SDK's HTTP client) also publishes a "source" export
    // condition pointing at TypeScript; inlining it and its importer lets Vite transform it (Node cannot load .ts).
    server: {
      deps: {
        inline: ['eventsource-parser', /@modelcontextprotocol\/sdk\/dist\/esm\/client\/streamableHttp/],
      },
    },
  },
});
