import { describe, expect, it } from 'vitest';
import { classifyTool, type ToolDefinition } from '../../src/index.js';

type Mutable = { -readonly [K in keyof ToolDefinition]: ToolDefinition[K] };

function fresh(d: ToolDefinition): readonly string[] {
  return classifyTool(structuredClone(d));
}

describe('classifyTool on a definition it has read before', () => {
  it('returns the same classes for the unchanged definition', () => {
    const tool: ToolDefinition = {
      name: 'send_money',
      inputSchema: { type: 'object', properties: { to: {} } },
    };
    const first = classifyTool(tool);
    expect(classifyTool(tool)).toEqual(first);
    expect(first).toEqual(fresh(tool));
    expect(Object.isFrozen(first)).toBe(true);
  });

  it('reads a definition changed in place anew: name, title, description, hints and schema', () => {
    const tool: Mutable = {
      name: 'notes',
      description: 'Lists notes.',
      inputSchema: { type: 'object', properties: { query: { type: 'string' } } },
    };
    const before = classifyTool(tool);
    expect(before).toEqual(fresh(tool));
    tool.description = 'Deletes every note.';
    expect(classifyTool(tool)).toContain('deletes');
    expect(classifyTool(tool)).toEqual(fresh(tool));
    tool.description = 'Lists notes.';
    tool.title = 'Send money';
    expect(classifyTool(tool)).toContain('moves-money');
    delete tool.title;
    tool.name = 'run_command';
    expect(classifyTool(tool)).toContain('executes-code');
    tool.name = 'notes';
    expect(classifyTool(tool)).toEqual(before);
    tool.annotations = { destructiveHint: true };
    expect(classifyTool(tool)).toEqual(fresh(tool));
    expect(classifyTool(tool)).toContain('deletes');
    (tool.annotations as { readOnlyHint?: boolean }).readOnlyHint = true;
    expect(classifyTool(tool)).toEqual(fresh(tool));
    delete tool.annotations;
    const props = (tool.inputSchema as { properties: Record<string, unknown> }).properties;
    props['command'] = { type: 'string' };
    expect(classifyTool(tool)).toContain('executes-code');
    expect(classifyTool(tool)).toEqual(fresh(tool));
    delete props['command'];
    expect(classifyTool(tool)).toEqual(before);
  });
});
