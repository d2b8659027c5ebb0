import type { Principal, ToolDefinition } from '@governed-mcp/core';
import { z } from 'zod';

/** The two labels; "dangerous" is the positive class. */
export type Label = 'safe' | 'dangerous';

const JsonObjectSchema = z.record(z.string(), z.unknown());

/** A tool definition as `tools/list` returns it; unknown fields (e.g. `_meta`) are kept. */
export const ToolDefinitionSchema = z.looseObject({
  name: z.string().min(1),
  title: z.string().optional(),
  description: z.string().optional(),
  inputSchema: JsonObjectSchema.refine((s) => s['type'] === 'object', {
    message: 'inputSchema must be a JSON Schema with "type": "object"',
  }),
  outputSchema: JsonObjectSchema.optional(),
  annotations: JsonObjectSchema.optional(),
});

/** The caller of a case or a session. */
export const PrincipalSchema = z.strictObject({ id: z.string().min(1), tier: z.string().min(1) });

/** An MCP `CallToolResult`, checked for shape only; extra fields (`_meta`, …) are kept. */
const CallToolResultSchema = z.looseObject({
  content: z.array(z.looseObject({ type: z.string().min(1) })).optional(),
  structuredContent: JsonObjectSchema.optional(),
  isError: z.boolean().optional(),
});

const StepSchema = z.strictObject({
  call: z.strictObject({ name: z.string().min(1), arguments: JsonObjectSchema }),
  result: CallToolResultSchema.optional(),
  label: z.enum(['safe', 'dangerous']),
});

/** One session: a trace of calls and their results, as one line of the dataset (see FORMAT.md). */
export const EvalSessionSchema = z
  .strictObject({
    id: z.string().min(1),
    category: z.string().min(1),
    tools: z.array(ToolDefinitionSchema).min(1),
    steps: z.array(StepSchema).min(1),
    principal: PrincipalSchema.optional(),
    task: z.string().optional(),
  })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    s.tools.forEach((t, i) => {
      if (names.has(t.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['tools', i, 'name'],
          message: `tool '${t.name}' is listed twice`,
        });
      }
      names.add(t.name);
    });
    s.steps.forEach((step, i) => {
      if (!names.has(step.call.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['steps', i, 'call', 'name'],
          message: `tool '${step.call.name}' is not among the session's tools`,
        });
      }
    });
  });

/** One step of a session: a `tools/call`, the server's result when it is allowed, and its label. */
export interface EvalStep {
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>>;
  /** The `CallToolResult` the stand-in server answers with; absent means an empty success. */
  readonly result?: Readonly<Record<string, unknown>>;
  readonly label: Label;
}

/** A validated session. */
export interface EvalSession {
  readonly id: string;
  readonly category: string;
  /** What the server's `tools/list` returns. */
  readonly tools: readonly ToolDefinition[];
  readonly steps: readonly EvalStep[];
  readonly principal?: Principal;
  /** The user's request; no layer reads it yet. */
  readonly task?: string;
  /** 1-based line number in the dataset file. */
  readonly line: number;
}

interface WrittenSession {
  tools: ToolDefinition[];
  steps: {
    call: { name: string; arguments: Record<string, unknown> };
    result?: Record<string, unknown>;
  }[];
}

/** True when a parsed line is meant as a session rather than a single call. */
export function looksLikeSession(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'steps' in value;
}

/**
 * Builds the session from a line that passed `EvalSessionSchema`. Tools, arguments and results are kept
 * exactly as JSON.parse made them: zod rebuilds records and drops keys such as `__proto__`, which hostile
 * cases carry on purpose.
 */
export function toSession(
  parsed: z.infer<typeof EvalSessionSchema>,
  value: unknown,
  line: number,
): EvalSession {
  const written = value as WrittenSession;
  return {
    id: parsed.id,
    category: parsed.category,
    tools: written.tools,
    steps: parsed.steps.map((s, i) => {
      const raw = written.steps[i]!;
      return {
        name: s.call.name,
        arguments: raw.call.arguments,
        ...(raw.result === undefined ? {} : { result: raw.result }),
        label: s.label,
      };
    }),
    ...(parsed.principal === undefined ? {} : { principal: parsed.principal }),
    ...(parsed.task === undefined ? {} : { task: parsed.task }),
    line,
  };
}
