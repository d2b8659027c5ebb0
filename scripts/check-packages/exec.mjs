// Child processes with a time limit, and progress lines on stderr (stdout carries only the report).
import { spawn } from 'node:child_process';

const KEEP_OUTPUT = 256 * 1024;

const started = Date.now();

/** Writes one progress line to stderr, with the seconds since the check started. */
export function progress(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[check-packages ${seconds}s] ${message}\n`);
}

/**
 * Runs `command args` and resolves (never rejects) with `{ code, signal, stdout, stderr, ms, timedOut }`;
 * the child is killed after `timeoutMs`. Only the last 256 KiB of each stream are kept.
 */
export function runProcess(command, args, { cwd, env, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const keep = (text) => (text.length > KEEP_OUTPUT ? text.slice(-KEEP_OUTPUT) : text);
    child.stdout.on('data', (chunk) => {
      stdout = keep(stdout + chunk);
    });
    child.stderr.on('data', (chunk) => {
      stderr = keep(stderr + chunk);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (code, signal, error) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ code, signal, stdout, stderr: error ? `${stderr}${error.message}` : stderr, ms, timedOut });
    };
    child.on('error', (error) => finish(null, null, error));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** The last `lines` non-empty lines of a process's output, for a failure message. */
export function tail(result, lines = 8) {
  return `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-lines)
    .join('\n');
}
