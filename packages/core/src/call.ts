import type { JsonObject } from './json.js';
import type { CapabilityClass, SessionFacts } from './session-facts.js';

/** MCP tool annotations: hints a server gives about a tool's behaviour (untrusted unless the server is). */
export interface ToolAnnotations {
  readonly title?: string;
  readonly readOnlyHint?: boolean;
  readonly destructiveHint?: boolean;
  readonly idempotentHint?: boolean;
  readonly openWorldHint?: boolean;
}

/** A tool definition as MCP's `tools/list` returns it. */
export interface ToolDefinition {
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly inputSchema: JsonObject;
  readonly outputSchema?: JsonObject;
  readonly annotations?: ToolAnnotations;
}

/** Who is calling: an identity and its trust tier. */
export interface Principal {
  readonly id: string;
  readonly tier: string;
}

/** How the call reached the gate. */
export interface TransportFacts {
  readonly kind: 'in-process' | 'stdio' | 'http' | 'eval';
  readonly remoteAddress?: string;
}

/**
 * One mediated request. For `tools/call` it is the tool's definition and its arguments; other
 * side-effecting methods (`resources/read`, `prompts/get`, server-to-client requests) are described
 * with a synthesized definition whose name says what they are.
 */
export interface ToolCall {
  /** The JSON-RPC method, e.g. `tools/call`. */
  readonly method: string;
  readonly tool: ToolDefinition;
  /** The arguments as received: hostile input may hold anything, so layers must not assume JSON. */
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly principal: Principal;
  /** The upstream server's name, when the gate fronts several. */
  readonly server?: string;
  readonly sessionId?: string;
  readonly requestId?: string | number;
  readonly transport?: TransportFacts;
  /**
   * What the tool can do, inferred once from its definition (`classifyTool`) by whoever listed it.
   * Absent when nobody inferred it: layers that need classes infer them from `tool` themselves.
   */
  readonly capabilities?: readonly CapabilityClass[];
  /** What the session showed before this call (flagged results, value provenance); absent outside one. */
  readonly session?: SessionFacts;
}
