// README snippets: which fenced blocks are compiled and run, and which compiler messages belong to which.

/** A fenced block is a snippet when its first line names its file: `// file: NAME.ts`. */
const FILE_HEADER = /^\/\/\s*file:\s*(\S+)\s*$/;
const SAFE_NAME = /^[a-z0-9][a-z0-9-]*\.(ts|mts)$/;
const FENCE = /^```(\w+)?[^\n]*\n([\s\S]*?)^```[ \t]*$/gm;

/**
 * Extracts every ```ts block of `markdown` whose first line is `// file: NAME.ts`. Returns
 * `{ snippets: { file, code, line }[], problems: { code, message }[] }`; a bad or repeated name is a
 * problem, and the block is skipped.
 */
export function extractSnippets(markdown) {
  const snippets = [];
  const problems = [];
  const seen = new Set();
  for (const match of markdown.matchAll(FENCE)) {
    const language = (match[1] ?? '').toLowerCase();
    if (language !== 'ts' && language !== 'typescript') continue;
    const body = match[2] ?? '';
    const header = FILE_HEADER.exec(body.split('\n', 1)[0] ?? '');
    if (header === null) continue;
    const file = header[1] ?? '';
    const line = markdown.slice(0, match.index).split('\n').length;
    if (!SAFE_NAME.test(file)) {
      problems.push({
        code: 'snippet_bad_name',
        message: `README line ${line}: snippet name "${file}" must be kebab-case and end in .ts`,
      });
      continue;
    }
    if (seen.has(file)) {
      problems.push({
        code: 'snippet_duplicate_name',
        message: `README line ${line}: snippet "${file}" named twice`,
      });
      continue;
    }
    seen.add(file);
    snippets.push({ file, code: body, line });
  }
  return { snippets, problems };
}

/** A snippet that serves MCP over stdio is driven by a real client; any other snippet just runs. */
export function isStdioServer(code) {
  return code.includes('StdioServerTransport');
}

/**
 * Splits `tsc` output into messages per snippet (`src/NAME.ts(…)`) and the other message groups
 * (about installed `.d.ts` files, or the configuration), each `{ file, lines }` with the file the
 * message is about (`undefined` for a message about no file).
 */
export function attributeDiagnostics(output, files) {
  const perFile = new Map(files.map((file) => [file, []]));
  const other = [];
  let current;
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const start = /^(\S.*?)\(\d+,\d+\): error /.exec(line) ?? /^(\S.*?):\d+:\d+ - error /.exec(line);
    if (start !== null) {
      const path = (start[1] ?? '').replace(/\\/g, '/');
      const file = files.find((f) => path === `src/${f}` || path.endsWith(`/src/${f}`));
      if (file !== undefined) current = perFile.get(file);
      else {
        current = [];
        other.push({ file: path, lines: current });
      }
      current?.push(line);
    } else if (/^error TS\d+/.test(line)) {
      current = [line];
      other.push({ file: undefined, lines: current });
    } else current?.push(line);
  }
  return { perFile, other };
}

/** True when a message group is about one of the checked packages' own files (or about no file). */
export function isOwnDiagnostic(group, packageNames) {
  if (group.file === undefined) return true;
  return packageNames.some((name) => group.file.includes(`node_modules/${name}/`));
}
