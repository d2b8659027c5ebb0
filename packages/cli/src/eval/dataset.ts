import { readFile } from 'node:fs/promises';
import type { Principal, ToolDefinition } from '@governed-mcp/core';
import { z } from 'zod';
import {
  type EvalSession,
  EvalSessionSchema,
  type Label,
  looksLikeSession,
  PrincipalSchema,
  ToolDefinitionSchema,
  toSession,
} from './session-dataset.js';

/** Error codes of the eval command. Stable strings: scripts match on them. */
export const EvalErrorCode = {
  /** A dataset line is not valid JSON or not a valid case. */
  InvalidCase: 'eval_invalid_case',
  /** Two cases share an id. */
  DuplicateId: 'eval_duplicate_id',
  /** The dataset holds no case at all. */
  EmptyDataset: 'eval_empty_dataset',
  /** The dataset file cannot be read. */
  DatasetUnreadable: 'eval_dataset_unreadable',
  /** The configuration needs the semantic layer and no model or probe URL was given. */
  ModelRequired: 'eval_model_required',
  /** An unknown configuration name or an unusable option. */
  InvalidOption: 'eval_invalid_option',
} as const;

/** One of the eval error codes. */
export type EvalErrorCode = (typeof EvalErrorCode)[keyof typeof EvalErrorCode];

export type { Label } from './session-dataset.js';

const JsonObjectSchema = z.record(z.string(), z.unknown());

/** One benchmark case, as one line of the dataset (see FORMAT.md). */
export const EvalCaseSchema = z.strictObject({
  id: z.string().min(1),
  tool: ToolDefinitionSchema,
  arguments: JsonObjectSchema,
  label: z.enum(['safe', 'dangerous']),
  category: z.string().min(1),
  principal: PrincipalSchema.optional(),
});

/** A validated benchmark case. */
export interface EvalCase {
  readonly id: string;
  readonly tool: ToolDefinition;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly label: Label;
  readonly category: string;
  readonly principal?: Principal;
  /** 1-based line number in the dataset file. */
  readonly line: number;
}

/** A problem with one dataset line. */
export interface DatasetIssue {
  readonly line: number;
  readonly code: EvalErrorCode;
  readonly message: string;
}

/** The result of reading a dataset: every case and session, or every problem (never a partial set). */
export type DatasetResult =
  | { readonly ok: true; readonly cases: readonly EvalCase[]; readonly sessions: readonly EvalSession[] }
  | { readonly ok: false; readonly issues: readonly DatasetIssue[] };

function describe(error: z.ZodError): string {
  return error.issues
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/**
 * Parses JSON Lines text into single-call cases and sessions (a line with `steps` is a session). Blank
 * lines are allowed; every other line must be a valid case or session, and ids are unique across both.
 * All problems are collected (not just the first) so one run shows what to fix.
 * @example
 * const r = parseDataset(text);
 * if (!r.ok) for (const i of r.issues) console.error(`line ${i.line}: ${i.message}`);
 */
export function parseDataset(text: string): DatasetResult {
  const cases: EvalCase[] = [];
  const sessions: EvalSession[] = [];
  const issues: DatasetIssue[] = [];
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    const line = i + 1;
    if (raw === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      issues.push({ line, code: EvalErrorCode.InvalidCase, message: `not JSON: ${(err as Error).message}` });
      continue;
    }
    const session = looksLikeSession(value);
    const parsed = session ? EvalSessionSchema.safeParse(value) : EvalCaseSchema.safeParse(value);
    if (!parsed.success) {
      issues.push({ line, code: EvalErrorCode.InvalidCase, message: describe(parsed.error) });
      continue;
    }
    const id = parsed.data.id;
    const first = seen.get(id);
    if (first !== undefined) {
      issues.push({
        line,
        code: EvalErrorCode.DuplicateId,
        message: `id '${id}' already used on line ${first}`,
      });
      continue;
    }
    seen.set(id, line);
    if (session) {
      sessions.push(toSession(parsed.data as z.infer<typeof EvalSessionSchema>, value, line));
      continue;
    }
    const c = parsed.data as z.infer<typeof EvalCaseSchema>;
    // The schema validates the shape; the case keeps the objects exactly as JSON.parse made them, since
    // zod rebuilds records and drops keys such as `__proto__`, which hostile cases carry on purpose.
    const asWritten = value as { tool: ToolDefinition; arguments: Record<string, unknown> };
    cases.push({
      id: c.id,
      tool: asWritten.tool,
      arguments: asWritten.arguments,
      label: c.label,
      category: c.category,
      ...(c.principal === undefined ? {} : { principal: c.principal }),
      line,
    });
  }
  if (issues.length > 0) return { ok: false, issues };
  if (cases.length === 0 && sessions.length === 0) {
    return {
      ok: false,
      issues: [{ line: 0, code: EvalErrorCode.EmptyDataset, message: 'the dataset has no cases' }],
    };
  }
  return { ok: true, cases, sessions };
}

/** Reads and parses a dataset file; an unreadable file is reported as an issue on line 0. */
export async function loadDataset(path: string): Promise<DatasetResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const message = `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    return { ok: false, issues: [{ line: 0, code: EvalErrorCode.DatasetUnreadable, message }] };
  }
  return parseDataset(text);
}
