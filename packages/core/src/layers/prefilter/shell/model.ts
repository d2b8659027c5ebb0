/**
 * The neutral model of a parsed shell script: what the analyses read instead of the syntax tree.
 * Commands are flat, in source order; pipelines and substitutions are recorded as links between them.
 */

/** A word after quote removal, escapes and the expansions the script itself defines. */
export interface ShellWord {
  /** The resolved text (`$HOME`/`${HOME}` read as `~`; unknown expansions kept as written). */
  readonly text: string;
  /** Part of the text comes from an expansion whose value is unknown (`$x`, `$(…)`). */
  readonly dynamic: boolean;
  /** Part of the text comes from fetched content (a substitution or a variable holding it). */
  readonly fetched: boolean;
  /** Part of the text comes from a secret source (`$(env)`, `$(cat ~/.ssh/id_rsa)`). */
  readonly secret: boolean;
  /**
   * The last path segment of the text (after its last `/`) is made, in part, by a command
   * substitution that prints text (`$(printf sudo)`, `` `echo c`url ``): as a command name, it hides
   * what runs. A lookup of a named program (`$(which python3)`) does not count.
   */
  readonly computed?: boolean;
}

/** A redirection: `>`, `>>`, `&>`, `>|`, `<`, `<>`, `<<<` and heredocs. */
export interface ShellRedirect {
  /** The operator as written (`>`, `>>`, `&>`, `<`, `<<<`, `<<`, …). */
  readonly op: string;
  readonly target: ShellWord;
}

/** One simple command. */
export interface ShellCommand {
  /** Index in `ShellModel.commands`. */
  readonly index: number;
  /** The command word as resolved (`/usr/bin/sudo`, `./x`, `$c`). */
  readonly path: ShellWord;
  /** Every word after the command word. */
  readonly args: readonly ShellWord[];
  readonly redirects: ShellRedirect[];
  /** Assignments in its environment (`NAME=value` words): before the name, or `export`'s own. */
  readonly env?: readonly ShellWord[];
  /** Text fed to standard input by a here-string or heredoc. */
  stdin: ShellWord | undefined;
  /** Pipeline id and stage: commands of one pipeline share the id, stages count from 0. */
  readonly pipeline: number;
  readonly stage: number;
  /** The command whose word holds the substitution this command runs in (-1 at top level). */
  readonly owner: number;
  /** A function defined in the script whose body this command belongs to ('' outside). */
  readonly inFunction: string;
}

/** A parsed script. */
export interface ShellModel {
  readonly commands: ShellCommand[];
  /** Names of functions defined in the script. */
  readonly functions: ReadonlySet<string>;
}
