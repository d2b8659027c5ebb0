import type { Principal, ToolCall, ToolDefinition } from '@governed-mcp/core';
import type { ToolVisibility } from './mediator-types.js';

/**
 * Anything that resolves the tier a call needs against the tier its principal has — core's tier table
 * (`createTierTable(settings)`) has this shape.
 */
export interface TierResolver {
  resolve(call: ToolCall):
    | {
        readonly ok: true;
        readonly fact: {
          readonly principalRank: number;
          readonly requiredRank: number;
          readonly principalTier?: string;
          readonly requiredTier?: string;
          /** Where the requirement came from: a settings rule or the tool's annotations. */
          readonly source?: string;
        };
      }
    | { readonly ok: false };
}

/** Why a tool was hidden by tier: what it needs against what the principal has (no arguments, no secrets). */
export interface HiddenByTier {
  readonly tool: string;
  readonly server: string;
  readonly principal: string;
  readonly principalTier: string;
  /** The tier the tool needs; absent when the principal's tier is unknown to the table. */
  readonly requiredTier?: string;
  /** `rule`, `annotations`, or `unknown_tier` when the principal's tier is not in the table. */
  readonly source: string;
}

/** Options of `tierVisibility`. */
export interface TierVisibilityOptions {
  /** Called once per hidden (server, tool, principal tier): the runner logs it at info level. */
  readonly onHidden?: (hidden: HiddenByTier) => void;
}

const NO_ARGS = Object.freeze({});

/**
 * Visibility by tier: a tool is visible when the principal's tier ranks at or above the tier the tool
 * requires. An unknown principal tier sees nothing (fail-closed). `onHidden` hears about each hidden
 * (server, tool, principal tier) once, so a relisting client does not repeat the line.
 * @example
 * createMediator({ gate, visibility: tierVisibility(createTierTable(settings)) });
 */
export function tierVisibility(tiers: TierResolver, options: TierVisibilityOptions = {}): ToolVisibility {
  const told = new Set<string>();
  const tell = (hidden: HiddenByTier): void => {
    if (options.onHidden === undefined) return;
    const key = `${hidden.server}\u0000${hidden.tool}\u0000${hidden.principalTier}`;
    if (told.has(key)) return;
    // Tool names come from the server: keep the memory of what was said bounded.
    if (told.size >= 4096) told.clear();
    told.add(key);
    try {
      options.onHidden(hidden);
    } catch {
      // Logging never changes what is visible.
    }
  };
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
      if (r.ok && r.fact.principalRank >= r.fact.requiredRank) return true;
      const about = { tool: tool.name, server, principal: principal.id, principalTier: principal.tier };
      if (!r.ok) tell({ ...about, source: 'unknown_tier' });
      else {
        tell({
          ...about,
          ...(r.fact.requiredTier === undefined ? {} : { requiredTier: r.fact.requiredTier }),
          source: r.fact.source ?? 'annotations',
        });
      }
      return false;
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
