import { describe, expect, it } from 'vitest';
import { scanArguments } from '../../../src/index.js';

const sqlTool = { name: 'execute_sql', inputSchema: {} };
const bound = 3000;

describe('sql-destructive against hostile input', () => {
  it.each([
    ['a long pinned disjunction', `DELETE FROM t WHERE ${'id = 1 OR '.repeat(3_000)}id = 2`],
    ['deep parentheses', `DELETE FROM t WHERE ${'('.repeat(5_000)}id = 1${')'.repeat(5_000)}`],
    ['many stacked statements', 'SELECT 1; '.repeat(3_200)],
    ['an unterminated comment', `UPDATE t SET a = 1 /*${' x'.repeat(100_000)}`],
    ['an unterminated string', `DELETE FROM t WHERE id = '${'x'.repeat(100_000)}`],
    ['versioned comment openers', '/*!50000 '.repeat(20_000)],
    ['drop words without statements', 'drop '.repeat(40_000)],
    ['comment runs before a statement', `${'/* */ '.repeat(30_000)}drop`],
    ['nested EXECUTE literals', `${"EXECUTE IMMEDIATE '".repeat(200)}DROP TABLE x`],
  ])('scans %s in bounded time', (_name, query) => {
    const start = performance.now();
    scanArguments({ query, note: query }, sqlTool);
    scanArguments({ value: query, id: `/**/${query}` }, { name: 'lookup', inputSchema: {} });
    expect(performance.now() - start).toBeLessThan(bound);
  });

  it('still denies a destructive statement too long to parse', () => {
    const query = `${'SELECT 1; '.repeat(4_000)}DROP TABLE users`;
    const codes = scanArguments({ query }, sqlTool).map((f) => f.code);
    expect(codes).toContain('drop_unparsed');
  });
});
