import type { ToolCall } from '../call.js';
import { type Decision, deny } from '../decision.js';
import { type CallContext, defineLayer, type Layer, type Next } from '../layer.js';
import { classesOf, type PathClass, type PathEnv } from '../paths/classify.js';
import { declaresServers, isClientConfig } from '../paths/client-config.js';
import { extractPaths, type PathCandidate, PathExtractLimitError } from '../paths/extract.js';
import { normalizePath } from '../paths/normalize-path.js';
import { PATH_FACT, type PathEntry } from '../paths/path-fact.js';
import { resolveOnDisk } from '../paths/resolve-on-disk.js';
import { GateStateTarget, protectedTarget } from './path-layer-targets.js';
import { initShellParser, shellParserReady } from './prefilter/shell/parser.js';

/** The path layer's name in reasons and traces. */
export const PATH_LAYER = 'paths';

/** Reason codes of the path layer. */
export const PathLayerCode = {
  /** The call targets one of the gate's own files or an MCP client's configuration. */
  GateState: 'gate_state',
  /** The arguments could not be read in full for paths (too many, too deep, cyclic): fail-closed. */
  PathsUnreadable: 'paths_unreadable',
  /** A path could not be resolved on disk (symlink loop, permission error): fail-closed. */
  PathUnresolvable: 'path_unresolvable',
} as const;

/** Options of the path layer. */
export interface PathLayerOptions {
  /** Where paths are interpreted: home, working directory and user of the upstream server. */
  readonly env: PathEnv;
  /** Follow symlinks on this machine's disk (only where the upstream runs here: a stdio child). */
  readonly resolveOnDisk?: boolean;
  /** The gate's own files: policy and includes, config, audit file and lock, pins file. */
  readonly protectedFiles?: readonly string[];
}

const GLOB = /[*?[]/;
const PATHISH_WORD = /[/\\*?[]|^[~.$%]/;

function readOnly(call: ToolCall): boolean {
  return call.method === 'resources/read' || call.tool.annotations?.readOnlyHint === true;
}

/**
 * Creates the path layer ('paths'). It finds the paths in a call's arguments (path-like keys,
 * path-shaped strings, the words of command strings), normalises them once, resolves them on disk
 * when enabled (so `~/notes/authorized_keys` with `notes → .ssh` is seen as `~/.ssh/authorized_keys`),
 * and records `PATH_FACT` for the pre-filter and the policy. It denies (`gate_state`) any call that
 * targets the gate's own files or an MCP client's configuration in any spelling: the same path in any
 * case, through a symlink or a hard link, a glob that matches it, a bare name in a command, or a
 * directory above it when the call may change files. Failures inside deny (fail-closed).
 * @example
 * const paths = createPathLayer({ env: { home, cwd }, resolveOnDisk: true, protectedFiles: [policyFile] });
 */
export function createPathLayer(options: PathLayerOptions): Layer {
  const env = options.env;
  const onDisk = options.resolveOnDisk === true;
  const files = (options.protectedFiles ?? [])
    .map((f) => normalizePath(f, env))
    .filter((f): f is string => f !== undefined);
  let resolvedFiles: Promise<readonly string[]> | undefined;

  async function protectedForms(): Promise<readonly string[]> {
    if (!onDisk) return files;
    resolvedFiles ??= Promise.all(files.map((f) => resolveOnDisk(f))).then((r) => [...files, ...r]);
    return resolvedFiles;
  }

  async function entryOf(c: PathCandidate): Promise<PathEntry | undefined> {
    if (c.source === 'word' && !PATHISH_WORD.test(c.raw)) return undefined;
    const normalized = normalizePath(c.raw, env);
    if (normalized === undefined) return undefined;
    const resolved =
      onDisk && normalized.startsWith('/') && !GLOB.test(normalized)
        ? await resolveOnDisk(normalized)
        : undefined;
    const classes = new Set<PathClass>(classesOf(normalized, env));
    if (resolved !== undefined) for (const k of classesOf(resolved, env)) classes.add(k);
    // Writing or chmod-ing a secret file reads no secret; writing a file that runs on its own, or a
    // system file, still matters.
    if (c.writtenOnly === true) classes.delete('credential');
    const base = {
      raw: c.raw,
      normalized,
      classes: [...classes],
      ...(c.writtenOnly === true ? { writtenOnly: true as const } : {}),
    };
    return resolved === undefined || resolved === normalized ? base : { ...base, resolved };
  }

  async function pathLayer(ctx: CallContext, next: Next): Promise<Decision> {
    // Which words of a command it only writes comes from the shell grammar; without it every word
    // counts as read (stricter), so a failure to load only costs precision.
    if (!shellParserReady()) await initShellParser().catch(() => undefined);
    let candidates: PathCandidate[];
    try {
      candidates = extractPaths(ctx.call.arguments);
    } catch (e) {
      if (!(e instanceof PathExtractLimitError)) throw e;
      return { ...deny(PATH_LAYER, PathLayerCode.PathsUnreadable, e.message), failure: true };
    }
    const entries: PathEntry[] = [];
    const mutating = !readOnly(ctx.call);
    const forms = files.length > 0 ? await protectedForms() : files;
    for (const c of candidates) {
      let entry: PathEntry | undefined;
      try {
        entry = await entryOf(c);
      } catch (e) {
        return { ...deny(PATH_LAYER, PathLayerCode.PathUnresolvable, (e as Error).message), failure: true };
      }
      const target = await protectedTarget(c, entry, forms, { env, mutating, onDisk });
      if (target === undefined && entry !== undefined && isClientConfig(entry.resolved ?? entry.normalized))
        return gateState(c.raw, GateStateTarget.ClientConfig);
      if (target !== undefined) return gateState(c.raw, target);
      if (entry !== undefined) entries.push(entry);
    }
    if (mutating && writesServerList(ctx.call.arguments))
      return gateState('(content)', GateStateTarget.ClientConfig);
    ctx.set(PATH_FACT, { entries });
    return next();
  }

  return defineLayer(PATH_LAYER, pathLayer);
}

function gateState(raw: string, target: GateStateTarget): Decision {
  return deny(PATH_LAYER, PathLayerCode.GateState, `the call targets ${target}: ${raw.slice(0, 200)}`, {
    target,
  });
}

function writesServerList(args: Readonly<Record<string, unknown>>): boolean {
  for (const v of Object.values(args)) if (typeof v === 'string' && declaresServers(v)) return true;
  return false;
}
