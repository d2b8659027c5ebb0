import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveModelPath } from '../../packages/cli/src/models/resolve.js';
import { freePort } from './processes.js';

/** The model the real-server tests use unless GOVERNED_MCP_TEST_MODEL names another (a file or a cache name). */
export const DEFAULT_TEST_MODEL = 'gemma-3-270m-q4_k_m';

/** How long the server may take to load the model and answer. */
const READY_MS = 90_000;

/** A running llama-cpp-python server. */
export interface LlamaPythonServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The GGUF file it serves. */
  readonly model: string;
  /** Stops the server's whole process group; resolves once it has exited. */
  close(): Promise<void>;
}

/** Options of {@link startLlamaPythonServer}. */
export interface LlamaPythonServerOptions {
  /** Context size. Default 2048. */
  readonly contextSize?: number;
}

/**
 * Python interpreters to try, in order: GOVERNED_MCP_LLAMA_PYTHON (an interpreter or a virtual
 * environment's folder), the active virtual environment (VIRTUAL_ENV), then `python3` on the PATH.
 */
function candidates(env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  const asInterpreter = (p: string) => {
    const inVenv = join(p, 'bin', 'python');
    out.push(existsSync(inVenv) ? inVenv : p);
  };
  const given = env['GOVERNED_MCP_LLAMA_PYTHON'];
  if (given !== undefined && given !== '') asInterpreter(given);
  const venv = env['VIRTUAL_ENV'];
  if (venv !== undefined && venv !== '') asInterpreter(venv);
  out.push('python3');
  return out;
}

let found: { python?: string; model?: string; reason?: string } | undefined;

/** Finds the interpreter with `llama_cpp.server` and the model once per process. */
function discover(env: NodeJS.ProcessEnv = process.env): {
  python?: string;
  model?: string;
  reason?: string;
} {
  if (found !== undefined) return found;
  const tried = candidates(env);
  const python = tried.find((p) => {
    const r = spawnSync(p, ['-c', 'import llama_cpp, llama_cpp.server'], {
      stdio: 'ignore',
      timeout: 30_000,
    });
    return r.status === 0;
  });
  if (python === undefined) {
    found = {
      reason: `no python with llama_cpp.server (tried ${tried.join(', ')}; set GOVERNED_MCP_LLAMA_PYTHON)`,
    };
    return found;
  }
  const name = env['GOVERNED_MCP_TEST_MODEL'] || DEFAULT_TEST_MODEL;
  let model: string;
  try {
    model = resolveModelPath(name, env);
  } catch {
    found = { reason: `model '${name}' is not in the model cache (set GOVERNED_MCP_TEST_MODEL)` };
    return found;
  }
  if (!existsSync(model)) {
    found = { reason: `model file '${model}' does not exist (set GOVERNED_MCP_TEST_MODEL)` };
    return found;
  }
  found = { python, model };
  return found;
}

/** One line saying why the real-server tests cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  return discover().reason;
}

const running = new Set<ChildProcess>();

/** Kills a server's process group (uvicorn may leave workers behind a plain kill). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

// A test runner that dies mid-test must not leave a server holding a model in memory.
process.once('exit', () => {
  for (const c of running) killGroup(c, 'SIGKILL');
});

async function waitReady(url: string, child: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + READY_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `llama_cpp.server exited (${child.exitCode ?? child.signalCode}):\n${log.slice(-15).join('')}`,
      );
    }
    try {
      const res = await fetch(`${url}/v1/models`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`llama_cpp.server did not answer within ${READY_MS} ms:\n${log.slice(-15).join('')}`);
}

/**
 * Starts `python -m llama_cpp.server` on a free loopback port with one thread (more threads are
 * far slower on small machines), waits until it answers, and returns its URL. Throws with the
 * reason of {@link skipReason} when python, llama_cpp or the model is missing.
 */
export async function startLlamaPythonServer(
  options: LlamaPythonServerOptions = {},
): Promise<LlamaPythonServer> {
  const { python, model, reason } = discover();
  if (python === undefined || model === undefined) throw new Error(reason ?? 'llama_cpp.server unavailable');
  const port = await freePort();
  const args = ['-m', 'llama_cpp.server', '--model', model, '--host', '127.0.0.1', '--port', String(port)];
  args.push('--n_threads', '1', '--n_threads_batch', '1', '--n_ctx', String(options.contextSize ?? 2048));
  const child = spawn(python, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const log: string[] = [];
  const keep = (b: Buffer) => {
    log.push(b.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    running.delete(child);
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(url, child, log);
  } catch (err) {
    await close();
    throw err;
  }
  return { url, model, close };
}
