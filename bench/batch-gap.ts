/**
 * How soon cairn starts a release's next batch: 20 concurrent releases (10 instances, 5 batches,
 * pause mode NONE) on a sandbox cluster; for every batch but the last, the gap from the moment its
 * last pod became Ready (on a raw watch the bench keeps on pods) to the moment the next batch's
 * scale-up of the revision's Deployment is seen (on a raw watch on Deployments). Prints the gaps'
 * p50/p99 beside the floor measured in the same run: PATCH an object → seen on a raw watch, idle
 * before the releases and again and again while they run (the same load).
 *
 *   npx tsx bench/batch-gap.ts      (RELEASES=20 INSTANCES=10 BATCHES=5 SPEED=1 PROBE_EVERY=100)
 *
 * cairn runs as a user runs it, a child process (bench/lib/cairn.ts) against sandbox clusters in this
 * process (bench/lib/sandbox.ts); the apps are seeded through the API first (not timed). SPEED is the
 * sandbox's simulated-time factor (at 1, real time, a pod becomes Ready in about 1.5 s, 4 s when its node pulls the image first). Any CAIRN_* variable is
 * passed on to cairn. The machine may be busy with other work: compare with the floor of the same run.
 */
import { performance } from 'node:perf_hooks';
import { startCairn } from './lib/cairn.js';
import { runBench, tempDir } from './lib/cleanup.js';
import { inLanes, seedApp, type Api } from './lib/graphql.js';
import { startPatchProbe } from './lib/patch-probe.js';
import { runReleases } from './lib/release-run.js';
import { PRODUCTION, startBenchClusters, TEST } from './lib/sandbox.js';
import { ms, printTable, summarize } from './lib/stats.js';

const RELEASES = Number(process.env.RELEASES ?? 20);
const INSTANCES = Number(process.env.INSTANCES ?? 10);
const BATCHES = Number(process.env.BATCHES ?? 5);
const SPEED = Number(process.env.SPEED ?? 1);
const PROBE_EVERY = Number(process.env.PROBE_EVERY ?? 100);

async function main(): Promise<void> {
  const dir = tempDir('cairn-bench-gap-');
  const clusters = await startBenchClusters({ dir, speed: SPEED, pods: RELEASES * INSTANCES });
  const cairn = await startCairn({ dir, kubeconfigPath: clusters.kubeconfigPath });
  const api: Api = { url: cairn.url, token: cairn.token };
  const names = Array.from({ length: RELEASES }, (_, i) => `gap-${String(i + 1).padStart(3, '0')}`);
  const apps = await inLanes(names, 4, (name) => seedApp(api, name, { production: PRODUCTION, test: TEST }, INSTANCES));

  const probe = await startPatchProbe(clusters.production.url);
  const idle: number[] = [];
  for (let i = 0; i < 50; i++) idle.push(await probe.once());
  const during = probe.repeat(PROBE_EVERY);
  const started = performance.now();
  const run = await runReleases({ api, clusters, apps, instances: INSTANCES, batches: BATCHES, timeoutMs: 600_000 });
  const loaded = await during.stop();
  probe.stop();

  if (run.failures.length) console.log(`${run.failures.length} orders did not complete; the first three:\n${run.failures.slice(0, 3).map((f) => `  ${f}`).join('\n')}`);
  const gaps = summarize(run.gaps);
  const first = summarize(run.firstBatch);
  const floorIdle = summarize(idle);
  const floorLoaded = summarize(loaded);
  console.log(`\nbatch gap: ${RELEASES} concurrent releases × ${INSTANCES} instances in ${BATCHES} batches (pause mode NONE), sandbox speed ${SPEED}; node ${process.version}`);
  printTable(
    ['what', 'n', 'p50', 'p99', 'max'],
    [
      ['cairn: batch Ready → next batch started', gaps.n, ms(gaps.p50), ms(gaps.p99), ms(gaps.max)],
      ['cairn: order sent → first batch started', first.n, ms(first.p50), ms(first.p99), ms(first.max)],
      ['floor: PATCH → seen on a watch, idle', floorIdle.n, ms(floorIdle.p50), ms(floorIdle.p99), ms(floorIdle.max)],
      ['floor: PATCH → seen on a watch, during the releases', floorLoaded.n, ms(floorLoaded.p50), ms(floorLoaded.p99), ms(floorLoaded.max)],
    ],
  );
  console.log(`\nbatches started before the previous one was Ready: ${run.early}; orders: ${JSON.stringify(run.states)}`);
  console.log(`whole run: ${ms(run.totalMs)} to every pod Ready, ${ms(run.settledMs)} to every order finished (polled every 2 s); wall ${ms(performance.now() - started)}`);
  const memory = cairn.memoryMb();
  console.log(`cairn: CPU ${cairn.cpuSeconds().toFixed(1)} s since its start, RSS ${memory.rss.toFixed(0)} MB (peak ${memory.peak.toFixed(0)} MB)`);
}

runBench(main);
