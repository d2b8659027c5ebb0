import { describe, expect, it } from 'vitest';
import { LineDecoder } from '../../src/runner/line-framing.js';

const b = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('LineDecoder', () => {
  it('joins a frame split across chunks and splits several frames in one chunk', () => {
    const d = new LineDecoder(1024);
    expect(d.push(b('{"a":'))).toEqual([]);
    const out = d.push(b('1}\n{"b":2}\n{"c"'));
    expect(out.map((l) => (l.ok ? l.value : l.reason))).toEqual([{ a: 1 }, { b: 2 }]);
    expect(d.push(b(':3}\r\n')).map((l) => (l.ok ? l.value : l.reason))).toEqual([{ c: 3 }]);
  });

  it('drops a line over the limit without buffering it and resynchronizes at the next newline', () => {
    const d = new LineDecoder(64);
    const first = d.push(b(`{"big":"${'x'.repeat(100)}`));
    expect(first).toEqual([]);
    const more = d.push(b(`${'y'.repeat(10_000)}"}\n{"ok":true}\n`));
    expect(more[0]).toMatchObject({ ok: false, reason: 'too_large' });
    expect(more[0]?.bytes).toBeGreaterThan(10_000);
    expect(more[1]).toEqual({ ok: true, value: { ok: true }, bytes: 11 });
  });

  it('reports text that is not JSON as a parse error and skips blank lines', () => {
    const d = new LineDecoder(1024);
    const out = d.push(b('not json\n\n\n{"x":1}\n'));
    expect(out).toHaveLength(2);
    expect(out[0]).toMatchObject({ ok: false, reason: 'parse_error' });
    expect(out[1]).toMatchObject({ ok: true, value: { x: 1 } });
  });

  it('counts bytes, not characters, against the limit', () => {
    const d = new LineDecoder(10);
    // Five two-byte characters plus quotes: 12 bytes, 7 characters.
    expect(d.push(b('"ééééé"\n'))[0]).toMatchObject({ ok: false, reason: 'too_large' });
  });
});
