import { readFileSync } from 'node:fs';

/** One record of an audit chain, as far as the tests read it. */
export interface AuditLine {
  readonly seq: number;
  readonly type: string;
  readonly data: {
    readonly call?: { readonly method: string; readonly tool: string; readonly requestId?: unknown };
    readonly decision?: {
      readonly outcome: string;
      readonly reasons: readonly { layer: string; code: string }[];
    };
  };
}

/** The records of an audit file. */
export function readAudit(file: string): AuditLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as AuditLine);
}

/** The decision records (one per mediated request). */
export function decisions(file: string): AuditLine[] {
  return readAudit(file).filter((r) => r.type === 'decision');
}
