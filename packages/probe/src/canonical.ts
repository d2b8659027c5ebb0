/**
 * Canonical, total JSON rendering of untrusted arguments for the classification prompt: object keys
 * sorted by code unit, no whitespace, and every value rendered (never a throw): values JSON cannot hold
 * become tagged strings, cycles are marked, and long strings keep their head and tail around a marker.
 */

/** Limits of the rendering. */
export interface CanonicalLimits {
  /** Longest string value kept whole; longer ones keep head and tail around a marker. Default 2000. */
  readonly maxStringChars?: number;
  /** Longest total rendering; longer ones keep head and tail around a marker. Default 6000. */
  readonly maxTotalChars?: number;
  /** Deepest nesting rendered. Default 32. */
  readonly maxDepth?: number;
  /** Most values visited; the rest of each container becomes a marker. Default 20000. */
  readonly maxNodes?: number;
}

/** A rendering and whether anything was cut. */
export interface CanonicalText {
  readonly text: string;
  readonly truncated: boolean;
}

/** Keeps the head and tail of `s` around a marker that says how much was cut. */
export function cutMiddle(s: string, max: number): string {
  if (s.length <= max) return s;
  const cut = s.length - max;
  const head = Math.ceil(max / 2);
  return `${s.slice(0, head)}…[truncated ${cut} of ${s.length} chars]…${s.slice(s.length - (max - head))}`;
}

/** Renders `value` canonically. Deterministic: equal inputs give equal text whatever the key order. */
export function canonicalize(value: unknown, limits: CanonicalLimits = {}): CanonicalText {
  const maxString = limits.maxStringChars ?? 2000;
  const maxTotal = limits.maxTotalChars ?? 6000;
  const maxDepth = limits.maxDepth ?? 32;
  // Bounds the work on hostile input (a million-element array) as the size limits bound the text.
  let budget = limits.maxNodes ?? 20_000;
  let truncated = false;
  const seen = new Set<object>();

  const str = (s: string): string => {
    if (s.length > maxString) {
      truncated = true;
      return JSON.stringify(cutMiddle(s, maxString));
    }
    return JSON.stringify(s);
  };

  const render = (v: unknown, depth: number): string => {
    budget--;
    switch (typeof v) {
      case 'string':
        return str(v);
      case 'number':
        return Number.isFinite(v) ? JSON.stringify(v) : str(`[number ${String(v)}]`);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'bigint':
        return str(`[bigint ${v.toString()}]`);
      case 'undefined':
        return str('[undefined]');
      case 'symbol':
      case 'function':
        return str(`[${typeof v}]`);
    }
    if (v === null) return 'null';
    const obj = v as object;
    if (seen.has(obj)) return str('[circular]');
    if (depth >= maxDepth) {
      truncated = true;
      return str('[too deep]');
    }
    seen.add(obj);
    try {
      const parts: string[] = [];
      const omitted = (n: number): void => {
        truncated = true;
        parts.push(str(`[${n} more omitted]`));
      };
      if (Array.isArray(obj)) {
        for (let i = 0; i < obj.length; i++) {
          if (budget <= 0) {
            omitted(obj.length - i);
            break;
          }
          parts.push(render(obj[i], depth + 1));
        }
        return `[${parts.join(',')}]`;
      }
      const keys = Object.keys(obj).sort();
      const rec = obj as Record<string, unknown>;
      for (let i = 0; i < keys.length; i++) {
        if (budget <= 0) {
          omitted(keys.length - i);
          break;
        }
        parts.push(`${str(keys[i]!)}:${render(rec[keys[i]!], depth + 1)}`);
      }
      return `{${parts.join(',')}}`;
    } finally {
      seen.delete(obj);
    }
  };

  let text: string;
  try {
    text = render(value, 0);
  } catch {
    // A getter that throws or a proxy that lies: say so rather than fail.
    truncated = true;
    text = str('[unrenderable]');
  }
  if (text.length > maxTotal) {
    truncated = true;
    text = cutMiddle(text, maxTotal);
  }
  return { text, truncated };
}
