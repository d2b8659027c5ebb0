/** The kinds of harm a SQL statement can do, as finding codes of `sql-destructive`. */
export const SqlHarmCode = {
  Drop: 'drop',
  Truncate: 'truncate',
  AlterDrop: 'alter-drop',
  MassDelete: 'mass-delete',
  MassUpdate: 'mass-update',
  DynamicSql: 'dynamic-sql',
  FileAccess: 'file-access',
  Privilege: 'privilege',
  Injection: 'sql-injection',
} as const;

/** One of `SqlHarmCode`'s values. */
export type SqlHarmCode = (typeof SqlHarmCode)[keyof typeof SqlHarmCode];

/** A harmful statement: its kind and where it is in the text read. */
export interface SqlHarm {
  readonly code: SqlHarmCode;
  readonly range: readonly [number, number];
  /** True when no dialect parsed the text and the token reading found the statement. */
  readonly unparsed?: true;
}

/** Server functions that read or write the server's files or run programs. */
export const FILE_FUNCTIONS: ReadonlySet<string> = new Set([
  'pg_read_file',
  'pg_read_binary_file',
  'pg_ls_dir',
  'pg_stat_file',
  'pg_file_write',
  'lo_import',
  'lo_export',
  'load_file',
  'load_extension',
  'xp_cmdshell',
  'sys_exec',
  'sys_eval',
]);
