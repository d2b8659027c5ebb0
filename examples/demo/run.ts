// `pnpm demo`: a real MCP server from npm behind the governed-mcp proxy, driven by the SDK's real Client.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Stream } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { findCachedRecommendedModel, resolveModelPath } from '@governed-mcp/cli';
import { verifyAuditFile } from '@governed-mcp/core/node';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { createColors } from 'picocolors';
import { SESSION, WORKSPACE_FILES } from './session.js';
import { readResult, type Seen, sessionLine } from './show.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const c = createColors(process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined);
const out = (s = ''): void => {
  process.stdout.write(`${s}\n`);
};

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function serverBin(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@modelcontextprotocol/server-filesystem/package.json');
  return join(dirname(pkg), 'dist', 'index.js');
}

interface ProxyLog {
  layers: string[];
  unavailable: string[];
  /** The last error the proxy logged, to explain a failed start. */
  lastError?: string;
  /** The last lines the proxy wrote, whatever they were. */
  tail: string[];
}

// Module scope so that a failure anywhere can say what the proxy last reported.
const proxyLog: ProxyLog = { layers: [], unavailable: [], tail: [] };

function watchLogs(stream: Stream | null, log: ProxyLog): void {
  let buf = '';
  stream?.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
      log.tail = [...log.tail.slice(-4), line];
      try {
        const entry = JSON.parse(line) as {
          event?: string;
          level?: string;
          message?: string;
          detail?: string;
          layers?: string[];
          layer?: string;
        };
        if (entry.level === 'error') log.lastError = `${entry.event}: ${entry.message ?? entry.detail ?? ''}`;
        if (entry.event === 'proxy_started' && Array.isArray(entry.layers)) log.layers = entry.layers;
        if (entry.event === 'layer_unavailable' && entry.layer !== undefined)
          log.unavailable.push(entry.layer);
      } catch {
        // Not a log line; the proxy writes only JSON, so ignore stray output.
      }
    }
  });
}

/**
 * The model of the semantic layer: `--model FILE|NAME`, else `GOVERNED_MCP_MODEL`, else the first
 * recommended model in the cache. `--no-model` or `GOVERNED_MCP_MODEL=none` keeps the layer off.
 */
async function chooseModel(): Promise<
  { path: string; label: string; strictness?: { alpha: number; threshold: number } } | undefined
> {
  if (process.argv.includes('--no-model')) return undefined;
  const given = option('--model') ?? (process.env['GOVERNED_MCP_MODEL'] || undefined);
  if (given === 'none') return undefined;
  if (given !== undefined) return { path: resolveModelPath(given), label: given };
  const cached = await findCachedRecommendedModel();
  if (cached === undefined) return undefined;
  const mb = cached.entry.size === undefined ? '?' : (cached.entry.size / 1e6).toFixed(0);
  const point = cached.entry.strictness;
  const at = point === undefined ? '' : `, alpha ${point.alpha}, threshold ${point.threshold}`;
  return {
    path: cached.path,
    label: `${cached.entry.name} (${mb} MB, from the model cache, sha256 ${cached.entry.sha256.slice(0, 12)}…${at})`,
    ...(point === undefined ? {} : { strictness: { ...point } }),
  };
}

async function main(): Promise<number> {
  const model = await chooseModel();
  const dir = await mkdtemp(join(tmpdir(), 'governed-mcp-demo-'));
  const ws = join(dir, 'workspace');
  for (const [path, text] of Object.entries(WORKSPACE_FILES)) {
    await mkdir(dirname(join(ws, path)), { recursive: true });
    await writeFile(join(ws, path), text);
  }
  const auditPath = join(dir, 'audit.jsonl');
  const configPath = join(dir, 'proxy.json');
  await writeFile(
    configPath,
    JSON.stringify({
      // Writing files is a destructive tool: the agent is a trusted principal, as a coding agent would be.
      principal: { id: 'demo-agent', tier: 'trusted' },
      audit: { path: auditPath, durability: 'fsync' },
      layers: model === undefined ? 'no-probe' : 'full',
      // A small model on a busy CPU can take over a second per call: the probe gets most of the
      // call's 5 s deadline rather than its 2 s default.
      // A recommended model runs at the operating point measured for it (`governed-mcp model list`).
      ...(model === undefined
        ? {}
        : { probe: { model: model.path, timeoutMs: 4000, ...(model.strictness ?? {}) } }),
      log: { level: 'info' },
    }),
  );
  out(c.bold('Governed MCP demo'));
  out(`server  ${c.cyan('@modelcontextprotocol/server-filesystem')} on ${ws}`);
  out(`gate    governed-mcp proxy (stdio), audit chain ${auditPath}`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      '--conditions=@governed-mcp/source',
      '--import',
      'tsx',
      'packages/cli/src/cli/main.ts',
      'proxy',
      '--config',
      configPath,
      '--',
      process.execPath,
      serverBin(),
      ws,
    ],
    cwd: root,
    stderr: 'pipe',
  });
  const log = proxyLog;
  watchLogs(transport.stderr, log);
  // The person at the client: the gate asks them (MCP elicitation) before calls tied to a result that
  // tried to instruct the agent. In this script they approve what they asked the agent to do.
  const client = new Client({ name: 'demo-agent', version: '1.0.0' }, { capabilities: { elicitation: {} } });
  let asked: string | undefined;
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked = String(request.params.message);
    return { action: 'accept', content: { approve: true } };
  });
  await client.connect(transport);
  const { tools } = await client.listTools();
  out(`layers  ${log.layers.join(' → ') || '(see the proxy log)'}`);
  if (model === undefined) {
    out(
      c.dim(
        '        the semantic layer (probe) is off: no model in the cache (`governed-mcp model pull NAME`) or given (`pnpm demo --model FILE.gguf`)',
      ),
    );
  } else {
    out(c.dim(`        the semantic layer (probe) runs on ${model.label}`));
  }
  if (log.unavailable.length > 0) out(c.yellow(`        not in this build: ${log.unavailable.join(', ')}`));
  out(`tools   ${tools.length} listed by the server, seen through the gate`);
  out();
  const seen: Seen[] = [];
  for (const [i, call] of SESSION.entries()) {
    const args = JSON.parse(
      JSON.stringify(call.arguments).replaceAll('"@', JSON.stringify(ws).slice(0, -1)),
    ) as Record<string, unknown>;
    asked = undefined;
    const result = (await client.callTool({ name: call.tool, arguments: args })) as Record<string, unknown>;
    const s = { ...readResult(result), ...(asked === undefined ? {} : { asked }) };
    seen.push(s);
    out(sessionLine(c, i + 1, call.tool, call.story, s, call.expect));
  }
  await client.close();
  return report(ws, auditPath, seen);
}

async function report(ws: string, auditPath: string, seen: readonly Seen[]): Promise<number> {
  let broken = 0;
  const ordinary = SESSION.filter((s) => s.expect === 'allow').length;
  const allowed = SESSION.filter((s, i) => s.expect === 'allow' && seen[i]!.outcome === 'allow').length;
  const attacks = SESSION.length - ordinary;
  const denied = SESSION.filter((s, i) => s.expect === 'deny' && seen[i]!.outcome === 'deny').length;
  out();
  out(`${c.bold('ordinary calls allowed')}  ${allowed}/${ordinary}`);
  out(`${c.bold('malicious calls denied')}  ${denied}/${attacks}`);
  if (allowed < ordinary) broken++;
  // A denied write must never reach the disk: read the files themselves.
  let checked = 0;
  let leaked = 0;
  for (const [i, call] of SESSION.entries()) {
    if (call.writes === undefined || seen[i]!.outcome !== 'deny') continue;
    checked++;
    const path = join(ws, call.writes.file);
    if (existsSync(path) && readFileSync(path, 'utf8').includes(call.writes.marker)) {
      out(c.red(`  ${call.writes.file} holds what a denied call would have written`));
      leaked++;
    }
  }
  broken += leaked;
  const verdict = leaked === 0 ? c.green('none') : c.red(String(leaked));
  out(
    `${c.bold('denied writes on disk')}   ${verdict} (${checked} denied write(s) checked in the files themselves)`,
  );
  const audit = await verifyAuditFile(auditPath);
  if (audit.ok) {
    out(
      `${c.bold('audit chain')}             ${c.green('intact')}: ${audit.records} records, head ${audit.head.slice(0, 16)}…`,
    );
    out(c.dim(`                        verify it yourself: pnpm -s governed-mcp audit verify ${auditPath}`));
  } else {
    out(
      `${c.bold('audit chain')}             ${c.red('BROKEN')} at record ${audit.firstBad?.seq}: ${audit.firstBad?.reason}`,
    );
    broken++;
  }
  return broken === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A person reads this: the message, not a stack trace.
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    if (proxyLog.lastError !== undefined) process.stderr.write(`the proxy reported: ${proxyLog.lastError}\n`);
    else if (proxyLog.tail.length > 0)
      process.stderr.write(`the proxy's last words:\n${proxyLog.tail.join('\n')}\n`);
    process.exitCode = 1;
  },
);
