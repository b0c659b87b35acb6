/**
 * Many watchers: a pod change seen by a raw watch in cairn's process and by every graphql-ws
 * subscriber of `instancesChanged` to one environment, at 1, 100, 1,000 and 10,000 subscribers —
 * several (10) per WebSocket and one per WebSocket — then with 10 % of the subscribers stalled
 * (their sockets stop reading after the snapshot).
 *
 *   npx tsx bench/live-fanout.ts            (COUNTS=1,100,1000 CHANGES=20 to choose)
 *
 * cairn's server runs here, on a sandbox cluster (API server on loopback, no controllers, no node
 * agent); the subscribers run in a child process (bench/lib/fanout-clients.ts), so RSS and CPU are the
 * server's. Each row: CHANGES pod PATCHes, one at a time, each once every live subscriber got the
 * previous one. Figures: subscriber arrival − raw watch arrival (p50, p99) — the raw watch is the floor,
 * the moment the change reached this process —; RSS with the subscribers open; the server's CPU while
 * the changes were delivered (% of one core); cairn's open pod watches; the fan-out's groups and the
 * executions per change. On this shared 2-core machine the figures are noisy: compare rows of one run.
 */
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { writeHeapSnapshot } from 'node:v8';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createCairn } from '../src/app.js';
import { issueToken } from '../src/auth/tokens.js';
import { kubeconfigText } from '../src/sandbox/apiserver/kubeconfig.js';
import { startSandboxCluster } from '../src/sandbox/cluster.js';
import { alwaysReachable, testConfig } from '../test/helpers/cairn.js';
import { rawWatch } from './lib/raw-watch.js';

const COUNTS = (process.env.COUNTS ?? '1,100,1000,10000').split(',').map(Number);
const CHANGES = Number(process.env.CHANGES ?? 20);
const STALL_COUNTS = (process.env.STALL_COUNTS ?? '1000,10000').split(',').filter(Boolean).map(Number);

const SUBSCRIPTION = `subscription ($environment: ID!) {
  instancesChanged(environment: $environment) { kind cursor ... on InstanceChanged { change instance { name status ready restarts resourceVersion } } ... on LiveSnapshot { instances { name } } }
}`;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
const now = () => performance.timeOrigin + performance.now();

/** When the server handed each change's frame to a socket (by resourceVersion): the server's share of the delay. */
const sent = new Map<string, number[]>();
const VERSION = /"kind":"INSTANCE_CHANGED".*"resourceVersion":"(\d+)"/;
const originalSend = WebSocket.prototype.send;
WebSocket.prototype.send = function (this: WebSocket, data: unknown, ...rest: unknown[]) {
  if (typeof data === 'string') {
    const m = VERSION.exec(data);
    if (m) {
      const times = sent.get(m[1]!) ?? [];
      times.push(now());
      sent.set(m[1]!, times);
    }
  }
  return (originalSend as (...a: unknown[]) => void).call(this, data, ...rest);
} as typeof WebSocket.prototype.send;

async function main(): Promise<void> {
  const logger = pino({ level: 'silent' });
  const cluster = await startSandboxCluster({ name: 'alpha', controllers: false, nodeAgent: false });
  const most = Math.max(...COUNTS, ...STALL_COUNTS);
  const config = testConfig({ logLevel: 'silent', shutdownTimeoutMs: 500, maxSubscriptionsPerToken: 2 * most, rateLimitPerMinute: 100 * most });
  const cairn = createCairn(config, {
    logger,
    kubeconfig: {
      documents: [
        { text: cluster.kubeconfig, origin: 'alpha', sandbox: true },
        { text: kubeconfigText([{ name: 'beta', url: cluster.url }]), origin: 'beta', sandbox: true },
      ],
    },
    testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false, live: { hub: { lingerMs: 100 }, informers: { idleMs: 100 } } },
  });
  const { url } = await cairn.start();
  const { server, repos, live } = cairn;
  const { secret } = issueToken(repos, { name: 'bench', admin: true, grants: [], expiresAt: null }, 'bench', new Date());
  const authorization = `Bearer ${secret}`;
  const created = await (
    await server.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        query: 'mutation ($input: CreateAppInput!) { createApp(input: $input) { ... on CreateAppPayload { app { environments { id kind namespace } } } } }',
        variables: { input: { name: 'bench', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', officialImage: 'NGINX' } },
      }),
    })
  ).json();
  const env = (created as any).data.createApp.app.environments.find((e: any) => e.kind === 'PRODUCTION');
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = env.namespace as string;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const labels = { 'cairn.dev/app': 'bench', 'cairn.dev/environment': 'production', 'app.kubernetes.io/managed-by': 'cairn', 'cairn.dev/revision': '1' };
  await core.createNamespacedPod({ namespace, body: { metadata: { name: 'bench-production-r1-a', labels }, spec: { containers: [{ name: 'bench', image: 'nginx:1.25' }] } } });

  // The floor: the change as a raw watch in this process sees it.
  const rawArrivals = new Map<string, number>();
  const rawWaiters = new Map<string, () => void>();
  const raw = rawWatch(cluster.url, `/api/v1/namespaces/${namespace}/pods`, (_type, object, at) => {
    const version = object.metadata.resourceVersion!;
    rawArrivals.set(version, performance.timeOrigin + at);
    rawWaiters.get(version)?.();
  });
  await raw.opened;
  const cairnPodWatches = () => cluster.counters.watches({ resource: 'pods' }).filter((w) => w.namespace === undefined).length;

  console.log(`many watchers: pod PATCH → raw watch in cairn's process (the floor) → each graphql-ws subscriber of instancesChanged; ${CHANGES} changes per row`);
  console.log(`node ${process.version}; subscribers in a child process; figures are subscriber − raw watch arrival; this machine is shared: noisy`);
  console.log('                                               arrived at the subscriber   sent by the server');
  console.log('subscribers  per socket  stalled   deliveries   p50 ms   p99 ms   max ms   p50 ms   p99 ms   RSS MB   CPU %   pod watches   groups   executions/change   hub resyncs');

  const rows: Record<string, number> = {};
  async function row(count: number, perSocket: number, stallEvery: number): Promise<void> {
    const child = fork(fileURLToPath(new URL('./lib/fanout-clients.ts', import.meta.url)), { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const waiters = new Map<string, (times: number[]) => void>();
    const early = new Map<string, number[]>();
    let readyResolve!: () => void;
    const ready = new Promise<void>((r) => (readyResolve = r));
    let closedResolve!: () => void;
    const closed = new Promise<void>((r) => (closedResolve = r));
    child.on('message', (m: any) => {
      if (m.type === 'ready') readyResolve();
      else if (m.type === 'closed') closedResolve();
      else if (m.type === 'failed') console.error('subscriber failed:', m.error);
      else if (m.type === 'arrived') {
        const w = waiters.get(m.version);
        if (w) w(m.times);
        else early.set(m.version, m.times);
      }
    });
    child.send({ type: 'open', url: url.replace(/^http/, 'ws'), authorization, query: SUBSCRIPTION, variables: { environment: env.id }, count, perSocket, stallEvery });
    await ready;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const mem = process.memoryUsage();
    if (process.env.HEAPSNAPSHOT) writeHeapSnapshot(`${process.env.HEAPSNAPSHOT}/fanout-${count}-${perSocket}-${stallEvery}.heapsnapshot`);
    const heapNote = `rss ${(mem.rss / 1048576).toFixed(0)} MB, heap ${(mem.heapUsed / 1048576).toFixed(0)} of ${(mem.heapTotal / 1048576).toFixed(0)} MB, external ${(mem.external / 1048576).toFixed(0)} MB, array buffers ${(mem.arrayBuffers / 1048576).toFixed(0)} MB${gc ? ' after gc' : ''}`;
    const fanoutStats = () => (server.yoga as { fanout?: { stats(): { groups: number; executions: number } } }).fanout?.stats() ?? { groups: NaN, executions: NaN };
    const stats0 = fanoutStats();
    const resyncs0 = (live.hub.stats() as { resyncs?: number }).resyncs ?? NaN;
    const profiler = process.env.PROFILE ? new Session() : null;
    if (profiler) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
    }
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    let rss = process.memoryUsage().rss;
    const diffs: number[] = [];
    const sentDiffs: number[] = [];
    sent.clear();
    for (let change = 0; change < CHANGES; change++) {
      const pod = await core.patchNamespacedPod({ name: 'bench-production-r1-a', namespace, body: [{ op: 'add', path: '/metadata/annotations', value: { step: `${count}-${perSocket}-${stallEvery}-${change}` } }] });
      const version = pod.metadata!.resourceVersion!;
      const times = early.get(version) ?? (await new Promise<number[]>((r) => waiters.set(version, r)));
      if (!rawArrivals.has(version)) await new Promise<void>((r) => rawWaiters.set(version, r));
      const rawAt = rawArrivals.get(version)!;
      for (const t of times) diffs.push(t - rawAt);
      for (const t of sent.get(version) ?? []) sentDiffs.push(t - rawAt);
      sent.delete(version);
      waiters.delete(version);
      rawWaiters.delete(version);
      rss = Math.max(rss, process.memoryUsage().rss);
    }
    const cpu = process.cpuUsage(cpu0);
    if (profiler) {
      const { profile } = await profiler.post('Profiler.stop');
      const file = `${process.env.PROFILE}/fanout-${count}-${perSocket}-${stallEvery}.cpuprofile`;
      writeFileSync(file, JSON.stringify(profile));
      profiler.disconnect();
    }
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wall0)) * 100;
    const stats = fanoutStats();
    const watches = cairnPodWatches();
    const groups = stats.groups;
    const executionsPerChange = (stats.executions - stats0.executions) / CHANGES;
    const resyncs = ((live.hub.stats() as { resyncs?: number }).resyncs ?? NaN) - resyncs0;
    child.send({ type: 'close' });
    await closed;
    child.kill();
    diffs.sort((a, b) => a - b);
    sentDiffs.sort((a, b) => a - b);
    const f = (n: number) => n.toFixed(1).padStart(8);
    const p99 = percentile(diffs, 99);
    rows[`${count}/${perSocket}/${stallEvery}`] = p99;
    console.log(
      `${String(count).padStart(11)}  ${String(perSocket).padStart(10)}  ${(stallEvery ? `${100 / stallEvery}%` : '-').padStart(7)}  ${String(diffs.length).padStart(11)} ${f(percentile(diffs, 50))} ${f(p99)} ${f(diffs[diffs.length - 1]!)} ${f(percentile(sentDiffs, 50))} ${f(percentile(sentDiffs, 99))} ${(rss / 1024 / 1024).toFixed(0).padStart(8)} ${cpuPercent.toFixed(0).padStart(7)}   ${String(watches).padStart(11)}   ${String(groups).padStart(6)}   ${executionsPerChange.toFixed(1).padStart(17)}   ${String(resyncs).padStart(11)}`,
    );
    if (process.env.HEAP) console.log(`             with the subscribers open: ${heapNote}`);
    // Let the hub's stream and the informers go between rows only when nothing is open (they linger 100 ms).
    await new Promise((r) => setTimeout(r, 300));
  }

  for (const count of COUNTS) for (const perSocket of [10, 1]) if (perSocket <= count) await row(count, perSocket, 0);
  console.log('\nwith 10 % of the subscribers stalled (every 10th socket stops reading after its snapshot), one per socket:');
  for (const count of STALL_COUNTS) {
    await row(count, 1, 10);
    const base = rows[`${count}/1/0`];
    const stalled = rows[`${count}/1/10`];
    if (base !== undefined && stalled !== undefined) console.log(`  the others' p99 at ${count}: ${stalled.toFixed(1)} ms with stalled consumers, ${base.toFixed(1)} ms without (${((stalled / base - 1) * 100).toFixed(0)} %)`);
  }
  console.log(`after all left: hub ${JSON.stringify(live.hub.stats())}, fan-out ${JSON.stringify((server.yoga as { fanout?: { stats(): unknown } }).fanout?.stats() ?? null)}`);
  raw.stop();
  await cairn.stop();
  await cluster.stop();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
