import type { Principal, ToolCall, ToolDefinition } from '@governed-mcp/core';
import type { ToolVisibility } from './mediator.js';

/**
 * Anything that resolves the tier a call needs against the tier its principal has — core's tier table
 * (`createTierTable(settings)`) has this shape.
 */
export interface TierResolver {
  resolve(
    call: ToolCall,
  ):
    | { readonly ok: true; readonly fact: { readonly principalRank: number; readonly requiredRank: number } }
    | { readonly ok: false };
}

const NO_ARGS = Object.freeze({});

/**
 * Visibility by tier: a tool is visible when the principal's tier ranks at or above the tier the tool
 * requires. An unknown principal tier sees nothing (fail-closed).
 * @example
 * createMediator({ gate, visibility: tierVisibility(createTierTable(settings)) });
 */
export function tierVisibility(tiers: TierResolver): ToolVisibility {
  return function visibleByTier(tool: ToolDefinition, principal: Principal, server: string): boolean {
    const call: ToolCall = {
      method: 'tools/call',
      tool,
      arguments: NO_ARGS,
      principal,
      ...(server === '' ? {} : { server }),
    };
    try {
      const r = tiers.resolve(call);
      return r.ok && r.fact.principalRank >= r.fact.requiredRank;
    } catch {
      return false;
    }
  };
}

/** Visible only when every filter agrees (e.g. tier and a policy callback). A filter that throws hides. */
export function allVisible(...filters: readonly ToolVisibility[]): ToolVisibility {
  return function visibleToAll(tool, principal, server) {
    for (const f of filters) {
      try {
        if (!f(tool, principal, server)) return false;
      } catch {
        return false;
      }
    }
    return true;
  };
}
