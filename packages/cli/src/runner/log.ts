import { createRequire } from 'node:module';

// pino and pino-pretty are loaded when the first logger is made, not when this package is imported.
const require = createRequire(import.meta.url);

/** Log levels, least to most severe. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The log levels, least to most severe (what `--log-level` accepts). */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * How log lines are written: `json` is one object per line (`{ level, time, event, ...fields }`), for
 * machines and MCP clients; `pretty` is one readable line (`[time] LEVEL: event key=value …`), for people.
 */
export type LogFormat = 'json' | 'pretty';

/** The log formats (what `--log-format` accepts). */
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** Structured fields of one log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Writes one event per line with its structured fields. */
export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** Where and how a logger writes. */
export interface LoggerOptions {
  /** Receives each finished line (ending in a newline); default: stderr. */
  readonly write?: ((line: string) => void) | undefined;
  /** Default: {@link defaultLogFormat} of stderr when writing there, `json` for any other sink. */
  readonly format?: LogFormat | undefined;
  /** Colour the pretty form; default: when writing to a terminal stderr and NO_COLOR is unset. */
  readonly color?: boolean | undefined;
}

/** `pretty` when the stream is a terminal (a person reads it), `json` otherwise (a program reads it). */
export function defaultLogFormat(stream: { readonly isTTY?: boolean } = process.stderr): LogFormat {
  return stream.isTTY === true ? 'pretty' : 'json';
}

/** A value as `key=value` shows it: bare when it has no spaces or quotes, JSON otherwise. */
function showValue(value: unknown): string {
  if (typeof value === 'string' && /^[^\s"'=]+$/.test(value)) return value;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Renders a JSON log line as `[HH:MM:ss.l] LEVEL: event key=value …` through pino-pretty. */
function createPrettifier(color: boolean): (line: string) => string {
  // Loaded only for the pretty form: a proxy whose stderr is a pipe never pays for it.
  const { prettyFactory } = require('pino-pretty') as typeof import('pino-pretty');
  const prettify = prettyFactory({
    colorize: color,
    messageKey: 'event',
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
    hideObject: true,
    messageFormat: (log, key) => {
      const { [key]: event, level: _level, time: _time, ...fields } = log;
      return [String(event), ...Object.entries(fields).map(([k, v]) => `${k}=${showValue(v)}`)].join(' ');
    },
  });
  return (line) => {
    const out = prettify(line);
    return out.endsWith('\n') ? out : `${out}\n`;
  };
}

/**
 * Creates a logger (pino underneath). It writes to stderr by default, synchronously so that nothing is
 * lost on exit: when the downstream is stdio, stdout is the protocol channel and must carry nothing else.
 * The second argument is either a line sink (JSON lines) or {@link LoggerOptions}.
 * @example
 * const log = createLogger('info', { format: 'pretty' });
 * log.info('proxy_started', { layers: ['schema', 'tier'] });
 */
export function createLogger(
  level: LogLevel = 'info',
  sink?: ((line: string) => void) | LoggerOptions,
): Logger {
  const options: LoggerOptions = typeof sink === 'function' ? { write: sink } : (sink ?? {});
  const toStderr = options.write === undefined;
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const format = options.format ?? (toStderr ? defaultLogFormat() : 'json');
  const color =
    options.color ?? (toStderr && process.stderr.isTTY === true && process.env.NO_COLOR === undefined);
  const render = format === 'pretty' ? createPrettifier(color) : (line: string) => line;
  const pino = require('pino') as typeof import('pino');
  const base = pino(
    {
      level,
      base: null,
      messageKey: 'event',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (line: string) => write(render(line)) },
  );
  return {
    debug: (event, fields) => base.debug({ ...fields }, event),
    info: (event, fields) => base.info({ ...fields }, event),
    warn: (event, fields) => base.warn({ ...fields }, event),
    error: (event, fields) => base.error({ ...fields }, event),
  };
}
