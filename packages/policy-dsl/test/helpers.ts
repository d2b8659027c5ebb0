import type { ToolCall } from '@governed-mcp/core';
import {
  type CompiledPolicy,
  compilePolicy,
  formatDiagnostic,
  type PolicyDiagnostic,
  parsePolicy,
} from '../src/index.js';

/** Compiles a policy source or throws with its diagnostics (test helper). */
export function policyOf(source: string, file = 'test.policy'): CompiledPolicy {
  const parsed = parsePolicy(source, file);
  const compiled = parsed.ok ? compilePolicy(parsed.value) : parsed;
  if (!compiled.ok) throw new Error(compiled.error.map(formatDiagnostic).join('\n'));
  return compiled.value;
}

/** A tools/call for `tool` with `args`, from a principal of `tier`. */
export function callOf(
  tool: string,
  args: Record<string, unknown> = {},
  tier = 'standard',
  extra: Partial<Pick<ToolCall, 'server' | 'method'>> & { principal?: string } = {},
): ToolCall {
  return {
    method: extra.method ?? 'tools/call',
    tool: { name: tool, inputSchema: { type: 'object' } },
    arguments: args,
    principal: { id: extra.principal ?? 'alice', tier },
    ...(extra.server === undefined ? {} : { server: extra.server }),
  };
}

/** A one-rule policy: `effect NAME when CONDITION`, under `default`. */
export function ruleOf(
  effect: 'allow' | 'deny',
  when: string,
  fallback: 'allow' | 'deny' = effect === 'deny' ? 'allow' : 'deny',
): CompiledPolicy {
  return policyOf(`default ${fallback}\n${effect} r\n  when ${when}\n  reason "because"\nend\n`);
}

/** Whether the one rule of `ruleOf` matched the call. */
export function fires(policy: CompiledPolicy, call: ToolCall): boolean {
  return policy.match(call).rule === 'r';
}

/** Every diagnostic of a source: its parse errors, or else its compile errors and warnings. */
export function problems(source: string): PolicyDiagnostic[] {
  const parsed = parsePolicy(source, 'p.policy');
  if (!parsed.ok) return parsed.error;
  const compiled = compilePolicy(parsed.value);
  return compiled.ok ? [...compiled.value.warnings] : compiled.error;
}

/** A policy source with one deny rule `r` under `default allow`, its condition on line 3. */
export const ruleSource = (when: string): string =>
  `default allow\ndeny r\n  when ${when}\n  reason "x"\nend\n`;
