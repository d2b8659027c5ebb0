import { describe, expect, it } from 'vitest';
import { scanArguments } from '../../../src/index.js';

const sqlTool = { name: 'execute_sql', inputSchema: {} };
const sqlFindings = (args: Record<string, unknown>, tool: { name: string } = sqlTool) =>
  scanArguments(args, { inputSchema: {}, ...tool }).filter((f) => f.detector === 'sql-destructive');

// Ordinary developer work against a database: reads, pinned writes, schema additions, transactions.
const BENIGN_QUERIES: readonly string[] = [
  "SELECT id, name FROM users WHERE created_at > now() - interval '7 days' LIMIT 50",
  "SELECT o.id, c.name FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.country = 'NL'",
  'SELECT count(*) FROM events GROUP BY day HAVING count(*) > 10 ORDER BY day DESC',
  'SELECT * FROM users WHERE id = 42',
  "SELECT actor FROM audit_log WHERE action = 'DROP TABLE'",
  "SELECT first_name || ' ' || last_name AS name FROM people WHERE id = 7",
  'SELECT u.id FROM users u LEFT JOIN sessions s ON s.user_id = u.id WHERE s.id IS NULL',
  "INSERT INTO t(a, b) VALUES (1, 'x') ON CONFLICT (a) DO NOTHING",
  "INSERT INTO audit(action) VALUES ('delete from t where 1=1')",
  'INSERT INTO archive SELECT * FROM orders WHERE id = 9',
  "UPDATE orders SET status = 'shipped' WHERE id = 42",
  'UPDATE orders SET status = $1 WHERE id = $2',
  'UPDATE t SET a = a + 1 WHERE id IN (1, 2, 3)',
  "UPDATE users SET name = 'x' WHERE id = 4 AND deleted_at IS NULL",
  'DELETE FROM sessions WHERE id = 42',
  'DELETE FROM t WHERE id IN (1, 2, 3)',
  'DELETE FROM t WHERE id = ?',
  'DELETE FROM carts WHERE user_id = 7 AND created_at < now()',
  'DELETE FROM t WHERE id IN (SELECT id FROM expired WHERE batch = 3)',
  'DELETE FROM t WHERE (id = 1 OR id = 2)',
  'CREATE TABLE events (id bigserial primary key, payload jsonb not null)',
  'CREATE INDEX idx_events_day ON events(day)',
  'CREATE VIEW v AS SELECT id FROM t',
  'ALTER TABLE t ADD COLUMN note text',
  'EXPLAIN ANALYZE SELECT * FROM t WHERE id = 3',
  'BEGIN; UPDATE a SET b = 1 WHERE id = 2; COMMIT;',
  'START TRANSACTION; INSERT INTO t VALUES (1); ROLLBACK;',
  'WITH recent AS (SELECT * FROM orders WHERE day = current_date) SELECT count(*) FROM recent',
  'SHOW TABLES',
  'PREPARE s AS DELETE FROM t WHERE id = $1; EXECUTE s(3)',
  'INSERT INTO t(a) VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 1',
  'CREATE TABLE c (id int, p int REFERENCES p(id) ON DELETE CASCADE ON UPDATE SET NULL)',
  'ALTER TABLE t ALTER COLUMN c DROP DEFAULT',
  'DELETE t1 FROM t1 JOIN t2 ON t1.a = t2.a WHERE t2.id = 3',
  'DELETE FROM t WHERE id = (SELECT max(id) FROM t)',
  "UPDATE t SET a = 'x\\y' WHERE id = 3",
  'DELETE /* by id */ FROM t WHERE id = 1; SELECT a/**/b',
];

describe('sql-destructive on ordinary database work', () => {
  it.each(BENIGN_QUERIES)('lets %j through', (query) => {
    expect(sqlFindings({ query })).toEqual([]);
  });

  it('treats a migration written to a file as content, not execution', () => {
    const migration = 'DROP TABLE IF EXISTS legacy_events;\nCREATE TABLE events (id int);\n';
    expect(sqlFindings({ path: 'migrations/003.sql', content: migration }, { name: 'write_file' })).toEqual(
      [],
    );
    expect(
      sqlFindings(
        { path: 'db/seed.sql', content: 'TRUNCATE users;\nDELETE FROM t;\n' },
        { name: 'write_file' },
      ),
    ).toEqual([]);
  });

  it('treats a README about SQL injection as content', () => {
    const readme =
      "# Injection\n\nNever build queries by hand: `' OR 1=1 --` turns\nWHERE name = '...' into a tautology.\n";
    expect(sqlFindings({ path: 'README.md', content: readme }, { name: 'write_file' })).toEqual([]);
  });

  it('lets an .env.example with a local database URL through', () => {
    const env = 'DATABASE_URL=postgres://user:password@localhost:5432/app\nPORT=3000\n';
    expect(sqlFindings({ path: '.env.example', content: env }, { name: 'write_file' })).toEqual([]);
  });

  it('lets shell commands and prose that mention SQL words through', () => {
    expect(
      sqlFindings({ command: 'find . -name "*.log" -mtime +7 -delete' }, { name: 'run_command' }),
    ).toEqual([]);
    expect(sqlFindings({ title: 'Drop table tennis practice' }, { name: 'create_note' })).toEqual([]);
    expect(sqlFindings({ name: "O'Brien" }, { name: 'create_user' })).toEqual([]);
  });
});
