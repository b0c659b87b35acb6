/**
 * N concurrent releases (10 instances, 5 batches, pause mode NONE), all sent at once: the whole
 * run's time beside the pods' own ready time, the batch gap and order sent → first batch (p50/p99),
 * cairn's CPU seconds and peak RSS, and the Kubernetes requests cairn made, by verb and resource.
 *
 *   npx tsx bench/concurrent-releases.ts            (RELEASES=20 INSTANCES=10 BATCHES=5 SPEED=1)
 *   RELEASES=300 npx tsx bench/concurrent-releases.ts   (7 to 15 minutes on 2 shared cores; TIMEOUT=1800 s per phase)
 *   NODE_AGENT=child RELEASES=300 npx tsx bench/concurrent-releases.ts   (the simulated pods in a process of their own:
 *   on 2 cores the sandbox then no longer starves the floor and cairn alike; every bench on bench/lib/sandbox.ts takes it)
 *
 * The floor — the pods' own ready time — is measured first, in the same run, on a fresh sandbox
 * cluster of the same size and speed (bench/lib/direct-batches.ts): the bench creates the same
 * number of Deployments with the pod template cairn renders for the seeded config and scales each to
 * its next batch the moment the current batch's pods are Ready on its raw watch. That is what an
 * engine that costs nothing would take for the same batched release: each batch still waits for its
 * pods to pull, start and pass the readiness probe, on the same simulated nodes under the same load.
 * (Simply multiplying one batch's ready time by the batch count would miss the load 3,000 pods put
 * on the sandbox itself.) Its gaps are the floor of a batch gap under that load.
 *
 * Then cairn runs as a user runs it, a child process (bench/lib/cairn.ts) against sandbox clusters in
 * this process (bench/lib/sandbox.ts), its apps seeded through the API (not timed); every order is
 * sent at once and tracked on raw watches of pods and Deployments (bench/lib/release-run.ts). The run
 * ends when every pod is Ready (and then waits for cairn to mark every order finished). cairn's
 * Kubernetes requests are counted at its own door to the clusters; its CPU and memory come from
 * /proc/<pid> (RSS sampled every 500 ms; VmHWM is the peak since its start, seeding included).
 * Its idle RSS is read IDLE ms (default 5000) after its start and again after the run. CAIRN_BENCH_COMPILED=1 runs
 * the compiled build (dist/main.js, what `npm start` runs) instead of src/main.ts under tsx.
 * Any CAIRN_* variable is passed on to cairn. The machine may be busy with other work: compare with
 * the floor of the same run.
 */
import { performance } from 'node:perf_hooks';
import { COMPILED, DATABASE, startCairn } from './lib/cairn.js';
import { runBench, tempDir } from './lib/cleanup.js';
import { runDirectBatches } from './lib/direct-batches.js';
import { inLanes, seedApp, type Api } from './lib/graphql.js';
import { runReleases, type ReleaseRun } from './lib/release-run.js';
import { childAgentsCpuSeconds, PRODUCTION, startBenchClusters, TEST } from './lib/sandbox.js';
import { byVerb, countsSince, countsText, ms, printTable, summarize } from './lib/stats.js';

const RELEASES = Number(process.env.RELEASES ?? 20);
const INSTANCES = Number(process.env.INSTANCES ?? 10);
const BATCHES = Number(process.env.BATCHES ?? 5);
const SPEED = Number(process.env.SPEED ?? 1);
const TIMEOUT_S = Number(process.env.TIMEOUT ?? 1800);
// FLOOR=0 skips the floor (1 to 3.5 minutes at 300 releases): only for a quick look, never for a figure.
const FLOOR = (process.env.FLOOR ?? '1') !== '0';
/** How long cairn is left alone before its idle RSS is read (after its start, after the run). */
const IDLE_MS = Number(process.env.IDLE ?? 5000);
/**
 * ROUNDS=2: once the measured round is over, every app is released again (a restart: the same configuration, every
 * instance replaced), all at once, by the same cairn — how the same burst goes once its code has run (not a figure
 * of the issue, whose cairn meets the burst fresh from its start).
 */
const ROUNDS = Number(process.env.ROUNDS ?? 1);

/** Waits until `read` (request counts) has not changed for `stillMs` (at most `timeoutMs`); what was counted meanwhile. */
async function requestsSettled(read: () => Record<string, number>, stillMs: number, timeoutMs: number): Promise<{ ms: number; requests: Record<string, number> }> {
  const started = performance.now();
  const first = read();
  let last = JSON.stringify(first);
  let stillSince = performance.now();
  while (performance.now() - stillSince < stillMs && performance.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 100));
    const now = JSON.stringify(read());
    if (now !== last) {
      last = now;
      stillSince = performance.now();
    }
  }
  return { ms: stillSince - started, requests: countsSince(first, read()) };
}

async function main(): Promise<void> {
  const pods = RELEASES * INSTANCES;
  console.log(`${RELEASES} concurrent releases × ${INSTANCES} instances in ${BATCHES} batches (${pods} pods), sandbox speed ${SPEED}; database ${DATABASE}; node ${process.version}`);

  const floorStarted = performance.now();
  const floorCpu = process.cpuUsage();
  const floorAgentCpu = childAgentsCpuSeconds();
  const floor = FLOOR
    ? await runDirectBatches({ releases: RELEASES, instances: INSTANCES, batches: BATCHES, speed: SPEED, timeoutMs: TIMEOUT_S * 1000 })
    : { totalMs: NaN, gaps: [], firstBatch: [], early: 0, lastReadyAt: NaN };
  const floorSandboxCpu = process.cpuUsage(floorCpu);
  const floorAgent = childAgentsCpuSeconds() - floorAgentCpu;
  if (FLOOR) console.log(`floor measured in ${ms(performance.now() - floorStarted)}`);

  const dir = tempDir('cairn-bench-releases-');
  const clusters = await startBenchClusters({ dir, speed: SPEED, pods });
  const cairn = await startCairn({ dir, kubeconfigPath: clusters.kubeconfigPath });
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleAtStart = cairn.memoryMb().rss;
  console.log(`cairn (${COMPILED ? 'compiled: dist/main.js' : 'under tsx: src/main.ts'}) idle RSS ${idleAtStart.toFixed(0)} MB ${IDLE_MS / 1000} s after /readyz, before seeding`);
  const api: Api = { url: cairn.url, token: cairn.token };
  const seedStarted = performance.now();
  const names = Array.from({ length: RELEASES }, (_, i) => `rel-${String(i + 1).padStart(3, '0')}`);
  const apps = await inLanes(names, 4, (name) => seedApp(api, name, { production: PRODUCTION, test: TEST }, INSTANCES));
  console.log(`seeded ${RELEASES} apps in ${ms(performance.now() - seedStarted)}`);
  // Creating an app makes its namespaces in the background (src/engine/namespace-preparer.ts): that is part of the
  // seeding, so the run starts once cairn's requests to the clusters have been still for a while.
  const settled = await requestsSettled(clusters.cairnRequests, 1000, 120_000);
  console.log(`cairn's requests after seeding (namespaces made ahead of the first release) settled ${ms(settled.ms)} after the last app: ${countsText(settled.requests)}`);

  let peakRss = 0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, cairn.memoryMb().rss);
  }, 500);
  const requestsBefore = clusters.cairnRequests();
  const cpuBefore = cairn.cpuSeconds();
  const sandboxCpuBefore = process.cpuUsage();
  const agentCpuBefore = childAgentsCpuSeconds();
  let run;
  try {
    run = await runReleases({ api, clusters, apps, instances: INSTANCES, batches: BATCHES, timeoutMs: TIMEOUT_S * 1000, cpuSeconds: () => cairn.cpuSeconds(), othersCpuSeconds: childAgentsCpuSeconds });
  } finally {
    clearInterval(sampler);
  }
  const cpu = cairn.cpuSeconds() - cpuBefore;
  const seconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;
  const sandboxCpu = seconds(process.cpuUsage(sandboxCpuBefore));
  const agentCpu = childAgentsCpuSeconds() - agentCpuBefore;
  peakRss = Math.max(peakRss, cairn.memoryMb().rss);
  const memory = cairn.memoryMb();
  const requests = countsSince(requestsBefore, clusters.cairnRequests());
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleAfter = cairn.memoryMb().rss;

  if (run.failures.length) console.log(`${run.failures.length} orders did not complete; the first three:\n${run.failures.slice(0, 3).map((f) => `  ${f}`).join('\n')}`);
  const gaps = summarize(run.gaps);
  const first = summarize(run.firstBatch);
  const floorGaps = summarize(floor.gaps);
  const floorFirst = summarize(floor.firstBatch);
  console.log('');
  printTable(
    ['', 'every pod Ready', '× floor', 'batch gap p50', 'p99', 'sent → first batch p50', 'p99'],
    [
      ['cairn', ms(run.totalMs), FLOOR ? (run.totalMs / floor.totalMs).toFixed(2) : '—', ms(gaps.p50), ms(gaps.p99), ms(first.p50), ms(first.p99)],
      ['floor: the pods\' own ready time', ms(floor.totalMs), FLOOR ? '1.00' : 'skipped', ms(floorGaps.p50), ms(floorGaps.p99), ms(floorFirst.p50), ms(floorFirst.p99)],
    ],
  );
  console.log(`\ncairn: orders ${JSON.stringify(run.states)}, every order finished ${ms(run.settledMs)} after the first was sent (polled every 2 s); ${run.early} batches started before the previous one was Ready; ${gaps.n} gaps measured`);
  const phase = (name: keyof typeof run.firstBatchPhases) => {
    const s = summarize(run.firstBatchPhases[name]);
    return `${ms(s.p50)} / ${ms(s.p99)}`;
  };
  console.log(
    `cairn: sent → first batch, step by step (p50 / p99 from the moment each order was sent): mutation answered ${phase('answered')}; at the cluster's door: Service create ${phase('service')}, Deployment create ${phase('deployment')}; first batch seen ${phase('seen')}`,
  );
  // CPU, not wall-clock: on a busy machine cairn gets a share of a core, and the phases above stretch with it.
  const perOrder = (s: number) => `${s.toFixed(2)} s (${((s * 1000) / RELEASES).toFixed(1)} ms an order)`;
  console.log(`cairn: CPU from the first order sent until every order was answered ${perOrder(run.cpuUntil.answered)}, until every first batch was seen ${perOrder(run.cpuUntil.firstBatches)}`);
  // Whether the burst is cairn's alone to speed up: with the machine's cores busy, a faster cairn leaves the time to the others.
  const m = run.machineUntilAnswered;
  console.log(
    `the machine (${m.cores} cores) from the first order sent until every order was answered: ${Number.isFinite(m.idleShare) ? `${(m.idleShare * 100).toFixed(0)} % idle` : 'idle share unknown (no /proc/stat)'}; CPU meanwhile: cairn ${run.cpuUntil.answered.toFixed(2)} s, this process (the sandbox and the bench's client) ${m.benchCpu.toFixed(2)} s${process.env.NODE_AGENT === 'child' ? `, the node agent ${m.othersCpu.toFixed(2)} s` : ''}`,
  );
  const w = run.machineAnsweredToFirstBatches;
  console.log(
    Number.isFinite(w.benchCpu)
      ? `the machine from every order answered until every first batch was seen: ${Number.isFinite(w.idleShare) ? `${(w.idleShare * 100).toFixed(0)} % idle` : 'idle share unknown'}; CPU meanwhile: cairn ${(run.cpuUntil.firstBatches - run.cpuUntil.answered).toFixed(2)} s, this process ${w.benchCpu.toFixed(2)} s${process.env.NODE_AGENT === 'child' ? `, the node agent ${w.othersCpu.toFixed(2)} s` : ''}`
      : 'the machine from every order answered until every first batch was seen: no such window (the last first batch came before the last answer)',
  );
  console.log(
    `the sandbox (this process: API servers, controllers, watches; the simulated pods run in ${process.env.NODE_AGENT === 'child' ? 'a child process' : 'it too'}): CPU ${sandboxCpu.toFixed(1)} s during cairn's run, ${FLOOR ? `${seconds(floorSandboxCpu).toFixed(1)} s during the floor` : 'floor skipped'}`,
  );
  if (process.env.NODE_AGENT === 'child') console.log(`the simulated pods (the node agent's process): CPU ${agentCpu.toFixed(1)} s during cairn's run${FLOOR ? `, ${floorAgent.toFixed(1)} s during the floor (its start included)` : ''}`);
  console.log(`cairn: CPU ${cpu.toFixed(1)} s during the run (${cairn.cpuSeconds().toFixed(1)} s since its start); RSS peak ${peakRss.toFixed(0)} MB during the run, ${memory.peak.toFixed(0)} MB since its start (VmHWM)`);
  console.log(`cairn (${COMPILED ? 'compiled' : 'under tsx'}): idle RSS ${idleAtStart.toFixed(0)} MB after start, ${idleAfter.toFixed(0)} MB ${IDLE_MS / 1000} s after the run`);
  const total = Object.values(requests).reduce((a, b) => a + b, 0);
  console.log(`cairn's Kubernetes requests during the run: ${total} — by verb: ${countsText(byVerb(requests))}`);
  console.log(`  by verb and resource: ${countsText(requests)}`);
  if (ROUNDS >= 2) await secondRound(() => runReleases({ api, clusters, apps, instances: INSTANCES, batches: BATCHES, timeoutMs: TIMEOUT_S * 1000, cpuSeconds: () => cairn.cpuSeconds(), othersCpuSeconds: childAgentsCpuSeconds, restart: true }), run, perOrder);
}

/**
 * ROUNDS=2, after every figure of the measured round is printed (a failed second round loses none of them). Prints only
 * what does not depend on the tracker telling the second revision's pods from the first's (its Ready and batch figures
 * assume one revision per app): cairn's CPU from /proc, the machine's idle share, the orders' end states. The second
 * round is a restart — the same mutation with `restart`, the Service already there, the old pods to replace — so it is
 * not the same work as the first: its CPU tells how much of the first round's was code running for the first time only
 * roughly.
 */
async function secondRound(release: () => ReturnType<typeof runReleases>, first: ReleaseRun, perOrder: (s: number) => string): Promise<void> {
  try {
    const second = await release();
    const idle = second.machineUntilAnswered.idleShare;
    console.log(
      `second round (ROUNDS=2: every app restarted, all at once, by the same cairn): cairn CPU until every order was answered ${perOrder(second.cpuUntil.answered)} (the first round: ${perOrder(first.cpuUntil.answered)}); the machine ${Number.isFinite(idle) ? `${(idle * 100).toFixed(0)} %` : 'unknown share'} idle meanwhile; orders ${JSON.stringify(second.states)} (the sandbox's nodes are sized for one revision's pods: a restart's new pods may wait for room)`,
    );
  } catch (error) {
    console.log(`second round (ROUNDS=2) given up: ${error instanceof Error ? error.message : String(error)}`);
  }
}

runBench(main);
