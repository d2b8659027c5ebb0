import type { Node } from 'web-tree-sitter';
import type { ShellCommand, ShellModel, ShellRedirect, ShellWord } from './model.js';
import { substitutionValue } from './substitution-value.js';
import { resolveWord, type ShellVars, type SubstitutionReader } from './words.js';

/** What the builder asks about a command as soon as it is built: does its output carry fetched or secret data. */
export type OutputFlags = (cmd: ShellCommand, model: ShellModel) => { fetched: boolean; secret: boolean };

interface Context {
  pipeline: number;
  stage: number;
  owner: number;
  fn: string;
  /** Inside one stage of a pipeline: nested statements share its id and stage. */
  inPipe: boolean;
  /** The stage counter of the enclosing pipeline: a pipeline nested in a stage continues it. */
  cursor?: { stage: number };
}

const EMPTY: ShellWord = { text: '', dynamic: false, fetched: false, secret: false };
const REDIRECTS = new Set(['file_redirect', 'herestring_redirect', 'heredoc_redirect']);
const INPUT_OPS = new Set(['<', '<<<', '<<', '<<-', '<&']);

/**
 * Builds the model of a parsed script. `flags` is asked about each command as it is built, so that a
 * later word holding a substitution (`$(curl …)`) or a variable assigned from one knows what it carries.
 */
export function buildModel(root: Node, flags: OutputFlags): ShellModel {
  const commands: ShellCommand[] = [];
  const functions = new Set<string>();
  const model: ShellModel = { commands, functions };
  const vars: ShellVars = new Map();
  const asked: { fetched: boolean; secret: boolean }[] = [];
  // Offsets right after a `{` that error recovery split off the word it opens (`{rm,-rf,~}`).
  const braceOpen = new Set<number>();
  let pipelines = 0;

  const substitution: SubstitutionReader = (node) => {
    const from = commands.length;
    for (const child of node.namedChildren)
      walk(child, { pipeline: ++pipelines, stage: 0, owner: -2, fn: '', inPipe: false });
    let fetched = false;
    let secret = false;
    // Constant output is worked out only for `$(…)`/backticks; `<(…)` and `(…)` print nowhere a word reads.
    const value =
      node.type === 'command_substitution' && !node.hasError
        ? substitutionValue(commands.slice(from).filter((c) => c.owner === -2))
        : undefined;
    for (let i = from; i < commands.length; i++) {
      const cmd = commands[i] as ShellCommand & { owner: number };
      if (cmd.owner === -2) cmd.owner = commands.length; // the command being built next holds the word
      // Each command is asked once: nested substitutions cover the same commands again.
      const f = asked[i] ?? flags(cmd, model);
      asked[i] = f;
      fetched ||= f.fetched;
      secret ||= f.secret;
    }
    return value === undefined ? { fetched, secret } : { fetched, secret, value };
  };
  const word = (node: Node): ShellWord => resolveWord(node, vars, substitution);

  const assign = (node: Node): void => {
    const name = node.childForFieldName('name')?.text;
    const value = node.childForFieldName('value');
    if (name !== undefined)
      vars.set(
        name,
        value === null ? { text: '', dynamic: false, fetched: false, secret: false } : word(value),
      );
  };

  const redirect = (node: Node): ShellRedirect => {
    if (node.type === 'heredoc_redirect') {
      const body = node.namedChildren.find((c) => c.type === 'heredoc_body');
      return {
        op: '<<',
        target: body === undefined ? { text: '', dynamic: false, fetched: false, secret: false } : word(body),
      };
    }
    const op = node.children.find((c) => !c.isNamed)?.text ?? '>';
    const dest =
      node.childForFieldName('destination') ?? node.namedChildren.find((c) => c.type !== 'file_descriptor');
    const target =
      dest === null || dest === undefined
        ? { text: '', dynamic: false, fetched: false, secret: false }
        : word(dest);
    return { op, target };
  };

  const command = (
    node: Node,
    ctx: Context,
    nameNode: Node | null,
    argNodes: readonly Node[],
    env: ShellWord[] = [],
  ): void => {
    const named =
      nameNode === null ? { text: '', dynamic: false, fetched: false, secret: false } : word(nameNode);
    const path =
      nameNode !== null && braceOpen.has(nameNode.startIndex) ? { ...named, text: `{${named.text}` } : named;
    const args: ShellWord[] = [];
    const redirects: ShellRedirect[] = [];
    for (const a of argNodes) {
      if (a.type === 'variable_assignment') {
        const value = a.childForFieldName('value');
        const w = value === null ? EMPTY : word(value);
        env.push({ ...w, text: `${a.childForFieldName('name')?.text ?? ''}=${w.text}` });
      } else if (REDIRECTS.has(a.type)) redirects.push(redirect(a));
      else if (a.isNamed && a.type !== 'comment' && a.type !== 'ERROR') args.push(word(a));
    }
    const cmd: ShellCommand = {
      index: commands.length,
      path,
      args,
      redirects,
      env,
      stdin: undefined,
      pipeline: ctx.pipeline,
      stage: ctx.stage,
      owner: ctx.owner,
      inFunction: ctx.fn,
    };
    for (const r of redirects) if (r.op === '<<<' || r.op === '<<') cmd.stdin = r.target;
    commands.push(cmd);
    void node;
  };

  const walk = (node: Node, ctx: Context): void => {
    switch (node.type) {
      case 'command': {
        const name = node.childForFieldName('name');
        const rest = node.namedChildren.filter((c) => c !== name && c.type !== 'command_name');
        // Assignments before the name are evaluated in order with the words.
        command(node, ctx, name, name === null ? [] : rest);
        if (name === null) for (const a of rest) if (a.type === 'variable_assignment') assign(a);
        return;
      }
      case 'command_name':
        command(node, ctx, node, []);
        return;
      case 'variable_assignment':
        assign(node);
        return;
      case 'variable_assignments':
      case 'declaration_command': {
        const words = node.namedChildren.filter((c) => c.type !== 'variable_assignment');
        const env: ShellWord[] = [];
        for (const c of node.namedChildren) {
          if (c.type !== 'variable_assignment') continue;
          assign(c);
          const name = c.childForFieldName('name')?.text ?? '';
          const w = vars.get(name) ?? EMPTY;
          env.push({ ...w, text: `${name}=${w.text}` });
        }
        if (node.type === 'declaration_command') {
          const keyword = node.children[0]?.text ?? 'declare';
          command(node, ctx, null, words, env);
          (commands[commands.length - 1] as { path: ShellWord }).path = {
            text: keyword,
            dynamic: false,
            fetched: false,
            secret: false,
          };
        }
        return;
      }
      case 'pipeline': {
        // `a | b 2>&1 | c` parses as a pipeline inside a pipeline: stages continue the outer count.
        const nested = ctx.inPipe && ctx.cursor !== undefined;
        const id = nested ? ctx.pipeline : ++pipelines;
        const cursor = nested && ctx.cursor !== undefined ? ctx.cursor : { stage: 0 };
        node.namedChildren.forEach((child, i) => {
          if (i > 0) cursor.stage++;
          walk(child, { ...ctx, pipeline: id, stage: cursor.stage, inPipe: true, cursor });
        });
        return;
      }
      case 'redirected_statement': {
        const body = node.childForFieldName('body');
        const from = commands.length;
        if (body !== null) walk(body, ctx);
        const own = commands.slice(from).filter((c) => c.owner === ctx.owner);
        const first = own[0];
        const last = own[own.length - 1];
        for (const r of node.namedChildren.filter((c) => REDIRECTS.has(c.type))) {
          const red = redirect(r);
          const to = INPUT_OPS.has(red.op) ? first : last;
          if (to === undefined) continue;
          to.redirects.push(red);
          if (red.op === '<<<' || red.op === '<<') to.stdin = red.target;
        }
        return;
      }
      case 'function_definition': {
        const name = node.childForFieldName('name')?.text ?? '';
        functions.add(name);
        const body = node.childForFieldName('body');
        if (body !== null) walk(body, { ...ctx, pipeline: ++pipelines, stage: 0, fn: name, inPipe: false });
        return;
      }
      case 'ERROR':
        walkError(node, ctx);
        return;
      case 'comment':
        return;
      default:
        for (const child of node.namedChildren) {
          // Statements of a list or a block start their own pipeline unless they are one stage of one.
          const inner = ctx.inPipe ? ctx : { ...ctx, pipeline: ++pipelines };
          walk(child, inner);
        }
    }
  };

  // Recovered text (`{curl,x}|{sh,-s}`): `|` between children joins them into one pipeline.
  const walkError = (node: Node, ctx: Context): void => {
    let id = ++pipelines;
    let stage = 0;
    for (const child of node.children) {
      if (child.type === '{') braceOpen.add(child.endIndex);
      if (!child.isNamed) {
        if (child.type === '|' || child.type === '|&') stage++;
        // Openers start a stage of the pipeline they are in (`…|{bash,-s}`); other tokens end it.
        else if (child.type !== '(' && child.type !== ')' && child.type !== '{') {
          id = ++pipelines;
          stage = 0;
        }
        continue;
      }
      walk(child, { ...ctx, pipeline: id, stage, inPipe: true });
    }
  };

  walk(root, { pipeline: 0, stage: 0, owner: -1, fn: '', inPipe: false });
  return model;
}
