import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { AuditData } from './data.js';
import { PAGE_CSS } from './page-css.js';
import { PAGE_HTML } from './page-html.js';
import { PAGE_SCRIPT } from './page-script.js';
import { computeStats, listSessions, queryRecords, sessionDetail } from './queries.js';

/** The headers of every answer: nothing from elsewhere, no inline code, no sniffing. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

/** True for a loopback address or `localhost`. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

/**
 * Whether a request's Host header names this server: `localhost` or an IP literal, with our port. A
 * DNS name is refused, which defeats DNS rebinding (a page of another site reaching us by its own name).
 * On a loopback address, only loopback names are accepted.
 */
export function hostAllowed(header: string | undefined, listenHost: string, port: number): boolean {
  if (header === undefined) return false;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d+))?$/.exec(header);
  if (m === null || Number(m[2] ?? '80') !== port) return false;
  const name = (m[1] ?? '').replace(/^\[|\]$/g, '').toLowerCase();
  if (name !== 'localhost' && isIP(name) === 0) return false;
  return isLoopback(listenHost) ? isLoopback(name) : true;
}

/** A running viewer: its URL and how to stop it. */
export interface AuditServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Options of startAuditServer. */
export interface AuditServerOptions {
  readonly host: string;
  readonly port: number;
  /** Where the data comes from (re-read when the files change). */
  readonly data: () => Promise<AuditData>;
}

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(head ? undefined : body);
}

const num = (v: string | null): number | undefined =>
  v === null || v === '' || Number.isNaN(Number(v)) ? undefined : Number(v);

async function api(path: string, params: URLSearchParams, data: AuditData): Promise<[number, unknown]> {
  switch (path) {
    case '/api/summary':
      return [
        200,
        {
          files: data.files,
          total: data.total,
          kept: data.records.length,
          capped: data.capped,
          maxRecords: data.maxRecords,
        },
      ];
    case '/api/records': {
      const q = {
        q: params.get('q') ?? '',
        type: params.get('type') ?? '',
        outcome: params.get('outcome') ?? '',
        ...(num(params.get('offset')) === undefined ? {} : { offset: num(params.get('offset')) as number }),
        ...(num(params.get('limit')) === undefined ? {} : { limit: num(params.get('limit')) as number }),
      };
      return [200, queryRecords(data, q)];
    }
    case '/api/stats':
      return [200, computeStats(data)];
    case '/api/sessions':
      return [200, { sessions: listSessions(data) }];
    case '/api/session': {
      const steps = sessionDetail(data, params.get('id') ?? '');
      return steps === undefined
        ? [404, { error: 'no_such_session' }]
        : [200, { id: params.get('id'), steps }];
    }
    default:
      return [404, { error: 'not_found' }];
  }
}

/** Starts the read-only viewer. Resolves once it listens; rejects if the address cannot be bound. */
export async function startAuditServer(options: AuditServerOptions): Promise<AuditServer> {
  let port = options.port;
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false);
    }
    if (!hostAllowed(req.headers.host, options.host, port)) {
      return send(res, 403, 'text/plain; charset=utf-8', 'forbidden host\n', head);
    }
    const url = new URL(req.url ?? '/', 'http://viewer');
    if (url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', PAGE_HTML, head);
    if (url.pathname === '/app.css') return send(res, 200, 'text/css; charset=utf-8', PAGE_CSS, head);
    if (url.pathname === '/app.js')
      return send(res, 200, 'text/javascript; charset=utf-8', PAGE_SCRIPT, head);
    if (!url.pathname.startsWith('/api/'))
      return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    try {
      const [status, body] = await api(url.pathname, url.searchParams, await options.data());
      send(res, status, 'application/json; charset=utf-8', JSON.stringify(body), head);
    } catch (err) {
      send(
        res,
        500,
        'application/json; charset=utf-8',
        JSON.stringify({ error: 'io_error', message: (err as Error).message }),
        head,
      );
    }
  };
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : options.port;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
