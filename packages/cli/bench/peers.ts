import { isMain, round } from '@governed-mcp/core/bench';
import { AGT_POLICY_DESCRIPTION, type InProcessRound, inProcessRound } from './peers-in-process.js';
import {
  type CallCounts,
  coldStart,
  httpVariant,
  latencyRound,
  median,
  type RoundFigures,
  spread,
  stdioVariant,
  summarise,
  type Variant,
} from './peers-positions.js';
import { findPeer, PEER_NAMES, type PeerInfo, type PeerName, spawnGroup } from './peers-targets.js';
import { type Background, background, benchConfig, benchPaths, everythingHttp, freePort } from './targets.js';

/** Options of the peers benchmark. */
export interface PeersBenchOptions {
  /** Rounds per figure; each figure is reported as median, min and max across rounds. Default 5. */
  readonly rounds?: number;
  /** One round with few calls, for a smoke test. */
  readonly quick?: boolean;
  /** Peers to treat as not installed (package names from {@link PEER_NAMES}). */
  readonly without?: readonly string[];
}

/** Runs `fn` with background processes started by `start`, stopping every one of them afterwards. */
async function withServers<T>(
  start: readonly (() => Promise<Background>)[],
  fn: (servers: Background[]) => Promise<T>,
): Promise<T> {
  const servers: Background[] = [];
  try {
    for (const s of start) servers.push(await s());
    return await fn(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

async function rounds<T>(n: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await one(i));
  return out;
}

/**
 * The governed proxy against the ungoverned MCP bridges (supergateway, mcp-proxy) in three positions, its
 * cold start against a direct spawn, and the in-process gate against Microsoft's Agent Governance Toolkit,
 * each with whichever peers are installed, in one run. Every figure is measured in `rounds` rounds with
 * governed and peers interleaved, and reported as median, min and max; ratios are medians of per-round
 * governed/peer ratios.
 */
export async function runPeersBench(options: PeersBenchOptions = {}): Promise<Record<string, unknown>> {
  const quick = options.quick === true;
  const n = quick ? 1 : (options.rounds ?? 5);
  const counts: CallCounts = quick
    ? { iterations: 20, warmup: 5, throughputCalls: 64 }
    : { iterations: 200, warmup: 30, throughputCalls: 500 };
  const inProcessIterations = quick ? 2000 : 20_000;
  const coldPerRound = quick ? 1 : 3;
  const { cli, everything } = benchPaths();
  const { config } = benchConfig();
  const found = Object.fromEntries(PEER_NAMES.map((p) => [p, findPeer(p, options.without ?? [])])) as Record<
    PeerName,
    PeerInfo
  >;
  const bin = (p: PeerName): string | undefined => {
    const f = found[p];
    return f.installed ? f.bin : undefined;
  };
  const sg = bin('supergateway');
  const mp = bin('mcp-proxy');
  const stdioServer = [everything, 'stdio'];
  const direct = stdioVariant('direct', stdioServer);
  const governedStdio = stdioVariant('governed', [
    cli,
    'proxy',
    '--config',
    config,
    '--',
    process.execPath,
    ...stdioServer,
  ]);

  // 1. stdio: direct against the governed proxy.
  const stdio = summarise(
    await rounds(n, (i) => latencyRound([direct, governedStdio], counts, i)),
    'governed',
  );

  // 2. HTTP → stdio: the governed proxy listening on HTTP, supergateway --stdio, mcp-proxy.
  const stdioCommand = `${JSON.stringify(process.execPath)} ${stdioServer.map((a) => JSON.stringify(a)).join(' ')}`;
  const starters: (() => Promise<Background>)[] = [
    () =>
      background(
        [cli, 'proxy', '--config', config, '--listen', '127.0.0.1:0', '--', process.execPath, ...stdioServer],
        process.env,
        (l) => (l.includes('"event":"listening"') ? (JSON.parse(l) as { url?: string }).url : undefined),
      ),
  ];
  const names = ['governed'];
  if (sg !== undefined) {
    names.push('supergateway');
    starters.push(async () => {
      const port = await freePort();
      return spawnGroup(
        [
          sg,
          '--stdio',
          stdioCommand,
          '--outputTransport',
          'streamableHttp',
          '--stateful',
          '--port',
          String(port),
        ],
        /Listening on port/,
        `http://127.0.0.1:${port}/mcp`,
      );
    });
  }
  if (mp !== undefined) {
    names.push('mcp-proxy');
    starters.push(async () => {
      const port = await freePort();
      return spawnGroup(
        [mp, '--port', String(port), '--server', 'stream', '--', process.execPath, ...stdioServer],
        /starting server on port/,
        `http://127.0.0.1:${port}/mcp`,
      );
    });
  }
  const httpToStdio = await withServers(starters, async (servers) => {
    const variants = servers.map((s, i) => httpVariant(names[i]!, () => s.url));
    return summarise(await rounds(n, (i) => latencyRound(variants, counts, i)), 'governed');
  });

  // 3. stdio → HTTP: server-everything on Streamable HTTP; the governed proxy and supergateway on stdio.
  const stdioToHttp = await withServers([() => everythingHttp(everything)], async ([upstream]) => {
    const url = upstream!.url;
    const variants: Variant[] = [
      stdioVariant('governed', [cli, 'proxy', '--config', config, '--upstream-url', url]),
    ];
    if (sg !== undefined) {
      variants.push(stdioVariant('supergateway', [sg, '--streamableHttp', url, '--logLevel', 'none']));
    }
    const figures: Record<string, RoundFigures>[] = await rounds(n, (i) => latencyRound(variants, counts, i));
    return summarise(figures, 'governed');
  });

  // 4. Cold start over stdio: spawn, initialize and the first call, in fresh processes, interleaved.
  const cold = await rounds(n, async () => {
    const d: number[] = [];
    const g: number[] = [];
    for (let k = 0; k < coldPerRound; k++) {
      d.push(await coldStart(direct));
      g.push(await coldStart(governedStdio));
    }
    return { direct: median(d), governed: median(g) };
  });

  // 5. In process: our gate against AGT.
  const agtInfo = found['@microsoft/agent-governance-sdk'];
  const agt = agtInfo.installed ? await import('@microsoft/agent-governance-sdk') : undefined;
  const inProc = await rounds(n, () => inProcessRound(inProcessIterations, agt));

  return {
    stdio,
    http_to_stdio: httpToStdio,
    stdio_to_http: stdioToHttp,
    cold_start: {
      direct_ms: spread(cold.map((c) => c.direct)),
      governed_ms: spread(cold.map((c) => c.governed)),
      ratios: { governed_vs_direct: round(median(cold.map((c) => c.governed / c.direct))) },
    },
    in_process: inProcessSummary(inProc),
    peers: Object.fromEntries(
      PEER_NAMES.map((p) => {
        const f = found[p];
        return [p, f.installed ? { installed: true, version: f.version } : { installed: false }];
      }),
    ),
    setup: {
      tool: 'server-everything echo',
      rounds: n,
      ...counts,
      cold_starts_per_round: coldPerRound,
      in_process_iterations: inProcessIterations,
      audit: 'fsync (the proxy default); in process: memory sink, durability none',
      http_servers: 'started once per run; every variant gets a fresh client (session) each round',
      supergateway: '--stdio CMD --outputTransport streamableHttp --stateful; --streamableHttp URL',
      mcp_proxy: '--server stream -- CMD',
      agt_policy: AGT_POLICY_DESCRIPTION,
      ratios: 'median over rounds of governed / peer (p50: lower is better for us; cps: higher is)',
      node: process.version,
    },
  };
}

function inProcessSummary(rs: readonly InProcessRound[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const keys = Object.keys(rs[0] ?? {}) as (keyof InProcessRound)[];
  for (const k of keys) out[k] = spread(rs.map((r) => r[k]!));
  const ratios: Record<string, number> = {};
  const ratio = (name: string, ours: keyof InProcessRound, theirs: keyof InProcessRound): void => {
    if (rs[0]?.[theirs] === undefined) return;
    ratios[name] = round(median(rs.map((r) => r[ours]! / r[theirs]!)));
  };
  ratio('ours_vs_agt_policy_audit_p50', 'ours_check_p50_us', 'agt_policy_audit_p50_us');
  ratio('ours_with_hash_vs_agt_policy_audit_p50', 'ours_check_with_hash_p50_us', 'agt_policy_audit_p50_us');
  ratio('ours_vs_agt_execute_p50', 'ours_check_p50_us', 'agt_execute_with_governance_p50_us');
  ratio(
    'ours_with_hash_vs_agt_execute_p50',
    'ours_check_with_hash_p50_us',
    'agt_execute_with_governance_p50_us',
  );
  return { ...out, ratios };
}

if (isMain(import.meta.url)) {
  process.stdout.write(
    `${JSON.stringify(await runPeersBench({ quick: process.argv[2] === 'quick' }), null, 2)}\n`,
  );
}
