// Benchmarks of the runner, run by `governed-mcp bench proxy` and `governed-mcp bench peers`.
import { isMain } from '@governed-mcp/core/bench';
import { runProxyBench } from './proxy.js';

export type { PeersBenchOptions } from './peers.js';
export { runPeersBench } from './peers.js';
export { PEER_NAMES } from './peers-targets.js';
export type { LatencyFigures, ProxyBenchOptions, ProxyBenchResult } from './proxy.js';
export { runProxyBench } from './proxy.js';

if (isMain(import.meta.url)) {
  // `node dist/bench/index.js [fsync|group|none]`: the audit durability to measure with (default fsync).
  const arg = process.argv[2];
  const durability = arg === 'fsync' || arg === 'none' || arg === 'group' ? arg : 'fsync';
  const result = await runProxyBench({ durability });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
