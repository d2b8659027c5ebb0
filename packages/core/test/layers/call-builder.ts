import type { Principal, ToolCall, ToolDefinition } from '../../src/index.js';

/** Builds a `tools/call` for tests; every part can be overridden. */
export function makeCall(
  args: Record<string, unknown>,
  overrides: { tool?: Partial<ToolDefinition>; principal?: Partial<Principal>; server?: string } = {},
): ToolCall {
  const tool: ToolDefinition = {
    name: 'read_file',
    inputSchema: { type: 'object' },
    ...overrides.tool,
  };
  return {
    method: 'tools/call',
    tool,
    arguments: args,
    principal: { id: 'alice', tier: 'standard', ...overrides.principal },
    ...(overrides.server === undefined ? {} : { server: overrides.server }),
  };
}
