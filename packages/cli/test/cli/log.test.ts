import { describe, expect, it } from 'vitest';
import { createLogger, defaultLogFormat } from '../../src/runner/log.js';

function capture(): { lines: string[]; write: (line: string) => void } {
  const lines: string[] = [];
  return { lines, write: (line) => lines.push(line) };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, event and the fields', () => {
    const { lines, write } = capture();
    const log = createLogger('info', write);
    log.info('audit_opened', { path: '/var/audit log.jsonl', resumed: null, n: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\n$/);
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(entry).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: 'info',
      event: 'audit_opened',
      path: '/var/audit log.jsonl',
      resumed: null,
      n: 3,
    });
  });

  it('drops events below its level', () => {
    const { lines, write } = capture();
    const log = createLogger('warn', { write, format: 'json' });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(lines.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['w', 'e']);
  });

  it('writes a readable line in the pretty format: time, level, event, then key=value', () => {
    const { lines, write } = capture();
    const log = createLogger('debug', { write, format: 'pretty', color: false });
    log.warn('pins_in_memory', {
      why: 'no audit file',
      layers: ['schema', 'tier'],
      count: 2,
      path: '/tmp/a',
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: pins_in_memory why="no audit file" layers=\["schema","tier"\] count=2 path=\/tmp\/a\n$/,
    );
    expect(lines[0]).not.toContain('\u001b[');
  });

  it('keeps a pretty line on one line when a field holds several lines', () => {
    const { lines, write } = capture();
    createLogger('info', { write, format: 'pretty', color: false }).error('usage', { message: 'a\n  ^' });
    expect(lines).toEqual([expect.stringMatching(/ERROR: usage message="a\\n {2}\^"\n$/)]);
  });

  it('chooses pretty for a terminal and JSON for a pipe or a file', () => {
    expect(defaultLogFormat({ isTTY: true })).toBe('pretty');
    expect(defaultLogFormat({ isTTY: false })).toBe('json');
    expect(defaultLogFormat({})).toBe('json');
  });
});
