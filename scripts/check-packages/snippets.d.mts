/** One README snippet: its file name, its code (header line included) and the line its fence opens on. */
export interface Snippet {
  readonly file: string;
  readonly code: string;
  readonly line: number;
}

/** Extracts every ```ts block whose first line is `// file: NAME.ts`. */
export declare function extractSnippets(markdown: string): {
  snippets: Snippet[];
  problems: { code: string; message: string }[];
};
/** True when a snippet serves MCP over stdio. */
export declare function isStdioServer(code: string): boolean;
/** A group of compiler messages about one file (`undefined`: about no file). */
export interface DiagnosticGroup {
  readonly file: string | undefined;
  readonly lines: string[];
}

/** Splits `tsc` output into messages per snippet file and the other message groups. */
export declare function attributeDiagnostics(
  output: string,
  files: readonly string[],
): { perFile: Map<string, string[]>; other: DiagnosticGroup[] };
/** True when a message group is about one of the checked packages' own files (or about no file). */
export declare function isOwnDiagnostic(group: DiagnosticGroup, packageNames: readonly string[]): boolean;
