/**
 * The floor of bench/concurrent-releases.ts alone (bench/lib/direct-batches.ts): N Services and Deployments
 * created at once on a fresh sandbox cluster and scaled batch by batch on their raw watches — for
 * profiling the sandbox under that load (`node --cpu-prof --import tsx bench/floor.ts`) and quick
 * looks at its figures. Not a figure for the README on its own: the machine may be busy.
 *
 *   RELEASES=300 NODE_AGENT=child npx tsx bench/floor.ts
 */
import { runBench } from './lib/cleanup.js';
import { runDirectBatches } from './lib/direct-batches.js';
import { ms, printTable, summarize } from './lib/stats.js';

const RELEASES = Number(process.env.RELEASES ?? 20);
const INSTANCES = Number(process.env.INSTANCES ?? 10);
const BATCHES = Number(process.env.BATCHES ?? 5);
const SPEED = Number(process.env.SPEED ?? 1);
const TIMEOUT_S = Number(process.env.TIMEOUT ?? 1800);

async function main(): Promise<void> {
  console.log(`floor: ${RELEASES} Deployments × ${INSTANCES} instances in ${BATCHES} batches, sandbox speed ${SPEED}; node ${process.version}`);
  const cpu = process.cpuUsage();
  const floor = await runDirectBatches({ releases: RELEASES, instances: INSTANCES, batches: BATCHES, speed: SPEED, timeoutMs: TIMEOUT_S * 1000 });
  const used = process.cpuUsage(cpu);
  const gaps = summarize(floor.gaps);
  const first = summarize(floor.firstBatch);
  printTable(
    ['', 'every pod Ready', 'batch gap p50', 'p99', 'create → seen p50', 'p99', 'bench process CPU'],
    [['floor', ms(floor.totalMs), ms(gaps.p50), ms(gaps.p99), ms(first.p50), ms(first.p99), `${((used.user + used.system) / 1e6).toFixed(1)} s`]],
  );
}

runBench(main);
