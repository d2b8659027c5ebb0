import type { createColors } from 'picocolors';

/** The colour functions of picocolors. */
export type Colors = ReturnType<typeof createColors>;

/** What the gate did with one call, as the client saw it. */
export interface Seen {
  readonly outcome: 'allow' | 'deny';
  readonly layer?: string;
  readonly code?: string;
  /** The gate's reason for a deny, or a short summary of the server's answer. */
  readonly detail: string;
  /** The call passed the gate but the server refused it. */
  readonly serverError?: boolean;
  /** What the gate asked the person before it let the call through (MCP elicitation). */
  readonly asked?: string;
}

const DENIED = /^Denied by governed-mcp \(layer '([^']+)', code '([^']+)'\): ([\s\S]*)$/;

/** Reads a `tools/call` result: a gate refusal (structured or in text), a server error, or a success. */
export function readResult(result: Record<string, unknown>): Seen {
  const content = Array.isArray(result['content'])
    ? (result['content'] as { type: string; text?: string }[])
    : [];
  const text = content.find((c) => c.type === 'text')?.text ?? '';
  const structured = (result['structuredContent'] as { governedMcp?: Record<string, string> } | undefined)
    ?.governedMcp;
  if (structured !== undefined) {
    return {
      outcome: 'deny',
      detail: structured['reason'] ?? '',
      ...(structured['layer'] === undefined ? {} : { layer: structured['layer'] }),
      ...(structured['code'] === undefined ? {} : { code: structured['code'] }),
    };
  }
  const m = DENIED.exec(text);
  if (m !== null) return { outcome: 'deny', layer: m[1]!, code: m[2]!, detail: m[3]! };
  const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
  if (result['isError'] === true) return { outcome: 'allow', serverError: true, detail: firstLine };
  return { outcome: 'allow', detail: `${text.length} chars: ${firstLine}` };
}

/** Shortens `s` to `n` visible characters. */
export function clip(s: string, n: number): string {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length <= n ? flat : `${flat.slice(0, n - 1)}…`;
}

/** Pads `s` to `n` characters (no colour codes inside). */
export function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** One aligned line of the session log. */
export function sessionLine(
  c: Colors,
  i: number,
  tool: string,
  story: string,
  seen: Seen,
  expected: 'allow' | 'deny',
): string {
  const verdict = seen.outcome === 'allow' ? c.green(pad('ALLOW', 5)) : c.red(pad('DENY', 5));
  const where =
    seen.outcome === 'deny' ? `${c.bold(pad(seen.layer ?? '?', 10))} ${c.dim(seen.code ?? '')}` : '';
  const missed =
    expected === 'deny' && seen.outcome === 'allow'
      ? c.yellow('  ← not caught by the layers in this build')
      : '';
  const head = `${c.dim(String(i).padStart(2))}  ${pad(tool, 26)} ${verdict}  ${where}${missed}`;
  if (seen.outcome === 'deny')
    return `${head}\n    ${c.dim(story)}\n    ${c.red('↳')} ${clip(seen.detail, 150)}`;
  const answer = seen.serverError
    ? `the server refused it: ${seen.detail}`
    : `server answered ${seen.detail}`;
  const ask =
    seen.asked === undefined
      ? ''
      : `\n    ${c.yellow('?')} asked the person, who approved: ${clip(seen.asked, 120)}`;
  return `${head}${ask}\n    ${c.dim(clip(`${story} — ${answer}`, 120))}`;
}
