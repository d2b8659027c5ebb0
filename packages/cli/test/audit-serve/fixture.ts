import { createGate, createPipeline, type ToolCall } from '@governed-mcp/core';
import { openAuditLog } from '@governed-mcp/core/node';
import { assembleLayers } from '@governed-mcp/middleware-mcp';
import { defaultPolicy } from '@governed-mcp/policy-dsl';

/** Text no page may render as markup. */
export const HOSTILE =
  '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';

function call(tool: string, args: Record<string, unknown>, sessionId: string, requestId: number): ToolCall {
  return {
    method: 'tools/call',
    tool: { name: tool, inputSchema: { type: 'object' } },
    arguments: args,
    principal: { id: 'agent-1', tier: 'standard' },
    sessionId,
    requestId,
  };
}

/**
 * Writes a real audit log: calls decided by the default constitution's layers (no probe), with their
 * outcomes; session `s-alpha` reads a file, tries to delete `/` (denied) and runs `rm -rf /` (denied);
 * session `s-hostile` has a tool whose argument is markup.
 */
export async function writeGateLog(path: string): Promise<void> {
  const layers = await assembleLayers({ policy: defaultPolicy(), configuration: 'no-probe' });
  const audit = await openAuditLog(path, { durability: 'write' });
  const gate = createGate({ pipeline: createPipeline(layers), audit, arguments: 'full' });
  const calls = [
    call('read_file', { path: 'notes/todo.md' }, 's-alpha', 1),
    call('delete_file', { path: '/' }, 's-alpha', 2),
    call('run_shell', { command: 'rm -rf /' }, 's-alpha', 3),
    call('read_file', { path: 'README.md' }, 's-beta', 4),
    call('delete_file', { path: '/etc' }, 's-beta', 5),
    call('echo', { text: HOSTILE }, 's-hostile', 6),
  ];
  for (const c of calls) {
    const checked = await gate.check(c);
    await gate.recordOutcome(c, checked, {
      status: checked.decision.outcome === 'allow' ? 'ok' : 'blocked',
      ms: 2,
    });
  }
  await audit.close();
}
