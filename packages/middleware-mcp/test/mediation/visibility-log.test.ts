import { createTierTable, DEFAULT_SETTINGS, type ToolDefinition } from '@governed-mcp/core';
import { describe, expect, it } from 'vitest';
import { type HiddenByTier, tierVisibility } from '../../src/mediation/visibility.js';

const write: ToolDefinition = {
  name: 'write_file',
  inputSchema: { type: 'object' },
  annotations: { destructiveHint: true },
};
const read: ToolDefinition = {
  name: 'read_file',
  inputSchema: { type: 'object' },
  annotations: { readOnlyHint: true },
};

describe('tier visibility tells why a tool is hidden', () => {
  it('reports each hidden tool once, with the tier it needs and the tier the principal has', () => {
    const told: HiddenByTier[] = [];
    const visible = tierVisibility(createTierTable(DEFAULT_SETTINGS), { onHidden: (h) => told.push(h) });
    const anonymous = { id: 'anonymous', tier: 'standard' };
    expect(visible(write, anonymous, 'files')).toBe(false);
    expect(visible(write, anonymous, 'files')).toBe(false);
    expect(visible(read, anonymous, 'files')).toBe(true);
    expect(told).toEqual([
      {
        tool: 'write_file',
        server: 'files',
        principal: 'anonymous',
        principalTier: 'standard',
        requiredTier: 'trusted',
        source: 'annotations',
      },
    ]);
  });

  it('hides everything from an unknown tier and says so', () => {
    const told: HiddenByTier[] = [];
    const visible = tierVisibility(createTierTable(DEFAULT_SETTINGS), { onHidden: (h) => told.push(h) });
    expect(visible(read, { id: 'x', tier: 'root' }, '')).toBe(false);
    expect(told).toEqual([expect.objectContaining({ tool: 'read_file', source: 'unknown_tier' })]);
  });

  it('a listener that throws changes nothing about what is visible', () => {
    const visible = tierVisibility(createTierTable(DEFAULT_SETTINGS), {
      onHidden: () => {
        throw new Error('log sink down');
      },
    });
    expect(visible(write, { id: 'a', tier: 'standard' }, '')).toBe(false);
    expect(visible(write, { id: 'local:dev', tier: 'trusted' }, '')).toBe(true);
  });
});
