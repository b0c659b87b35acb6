/**
 * Delivery latency of live status: a pod change in the API server → a graphql-ws subscriber of
 * `instancesChanged`, at 1, 100 and 1,000 subscribers to one environment (one pod watch for all).
 *
 *   npx tsx bench/live-latency.ts                       (add CHANGES=50 to measure more changes)
 *   node --expose-gc --import tsx bench/live-latency.ts (also prints the heap before and after)
 *
 * Everything runs in this process: a sandbox cluster (API server on loopback, no controllers, no
 * node agent), cairn's server on port 0, and the subscribers (graphql-ws clients, 10 subscriptions
 * per WebSocket). Latency of one delivery = time the subscriber got the change − time just before
 * the PATCH that made it was sent. Changes are made one at a time, each once every subscriber got
 * the previous one. A second table measures the hub alone (in-process subscribers of
 * live.followEnvironment), to tell the hub's share from GraphQL execution and WebSocket sends.
 */
import { performance } from 'node:perf_hooks';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { createCairn } from '../src/app.js';
import { kubeconfigText } from '../src/sandbox/apiserver/kubeconfig.js';
import { startSandboxCluster } from '../src/sandbox/cluster.js';
import { issueToken } from '../src/auth/tokens.js';
import { alwaysReachable, testConfig } from '../test/helpers/cairn.js';

const COUNTS = [1, 100, 1000];
const CHANGES = Number(process.env.CHANGES ?? 30);
const PER_SOCKET = 10;

const SUBSCRIPTION = `subscription ($environment: ID!) {
  instancesChanged(environment: $environment) { kind cursor ... on InstanceChanged { instance { resourceVersion } } }
}`;

const gc = (globalThis as { gc?: () => void }).gc;
const heapMb = () => {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const logger = pino({ level: 'silent' });
  const cluster = await startSandboxCluster({ name: 'alpha', controllers: false, nodeAgent: false });
  // Every subscriber uses the same token: lift its subscription cap and rate above the largest count.
  const most = Math.max(...COUNTS);
  const config = testConfig({ logLevel: 'silent', shutdownTimeoutMs: 500, maxSubscriptionsPerToken: 2 * most, rateLimitPerMinute: 100 * most });
  // No release engine: nothing is released here (the sandbox runs no controllers).
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

  console.log(`live status delivery latency: pod PATCH sent → subscriber got the change (${CHANGES} changes per row; graphql-ws: instancesChanged, ${PER_SOCKET} subscriptions per socket)`);
  console.log(`node ${process.version}, ${gc ? 'heap measured after gc' : 'no --expose-gc: heap figures include garbage'}`);

  type Mode = 'graphql-ws' | 'hub';
  const scope = { cluster: 'alpha', namespace, appName: 'bench', environmentKind: 'PRODUCTION' as const };
  /** Opens `count` subscribers of `mode`; each calls `snapshot()` once, then `changed(version)` per change. */
  function open(mode: Mode, count: number, snapshot: () => void, changed: (version: string) => void): () => Promise<void> {
    if (mode === 'hub') {
      const subs = Array.from({ length: count }, () => live.followEnvironment(scope, { filter: (e) => e.type === 'instance' }));
      for (const sub of subs) {
        void (async () => {
          for await (const d of sub) {
            if (d.type === 'snapshot') snapshot();
            else if (d.type === 'event' && d.event.type === 'instance') changed(d.event.instance.resourceVersion);
          }
        })();
      }
      return async () => {
        for (const sub of subs) await sub.return?.();
      };
    }
    const clients: Client[] = [];
    const iterators: Array<AsyncIterableIterator<any>> = [];
    for (let i = 0; i < count; i++) {
      if (i % PER_SOCKET === 0) clients.push(createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization } }));
      const it = clients[clients.length - 1]!.iterate<any>({ query: SUBSCRIPTION, variables: { environment: env.id } });
      iterators.push(it);
      void (async () => {
        for await (const r of it) {
          const e = r.data?.instancesChanged;
          if (e?.kind === 'SNAPSHOT') snapshot();
          else if (e?.kind === 'INSTANCE_CHANGED') changed(e.instance.resourceVersion as string);
        }
      })();
    }
    return async () => {
      for (const it of iterators) await it.return?.();
      await Promise.all(clients.map((c) => c.dispose()));
    };
  }

  for (const mode of ['graphql-ws', 'hub'] as Mode[]) {
    console.log(mode === 'hub' ? '\nthe hub alone (in-process subscribers of live.followEnvironment, no GraphQL, no WebSocket):' : '');
    console.log('subscribers  deliveries   p50 ms   p95 ms   max ms   pod watches   heap before → with subscribers → after they left (MB)');
    for (const count of COUNTS) {
      const heapBefore = heapMb();
      const received = new Map<string, number[]>();
      let waiting: { version: string; resolve: () => void } | null = null;
      let snapshots = 0;
      let allSnapshots!: () => void;
      const snapshotsDone = new Promise<void>((resolve) => (allSnapshots = resolve));
      const close = open(
        mode,
        count,
        () => {
          if (++snapshots === count) allSnapshots();
        },
        (version) => {
          const times = received.get(version) ?? [];
          times.push(performance.now());
          received.set(version, times);
          const w = waiting as { version: string; resolve: () => void } | null; // set by the change loop
          if (w && w.version === version && times.length === count) w.resolve();
        },
      );
      await snapshotsDone;
      await cluster.counters.until(() => cluster.counters.openWatches({ resource: 'pods', namespace }) >= 1);
      const watches = cluster.counters.openWatches({ resource: 'pods', namespace });
      const heapWith = heapMb();

      const latencies: number[] = [];
      for (let change = 0; change < CHANGES; change++) {
        const sentAt = performance.now();
        let version = '';
        await new Promise<void>((resolve) => {
          void core
            .patchNamespacedPod({ name: 'bench-production-r1-a', namespace, body: [{ op: 'add', path: '/metadata/annotations', value: { step: `${mode}-${count}-${change}` } }] })
            .then((pod) => {
              version = pod.metadata!.resourceVersion!;
              if ((received.get(version)?.length ?? 0) === count) resolve();
              else waiting = { version, resolve };
            });
        });
        waiting = null;
        for (const t of received.get(version)!) latencies.push(t - sentAt);
        received.clear();
      }

      await close();
      await cluster.counters.until(() => cluster.counters.openWatches({ namespace }) === 0, 10_000);
      const heapAfter = heapMb();
      latencies.sort((a, b) => a - b);
      const f = (n: number) => n.toFixed(2).padStart(8);
      console.log(
        `${String(count).padStart(11)}  ${String(latencies.length).padStart(10)} ${f(percentile(latencies, 50))} ${f(percentile(latencies, 95))} ${f(latencies[latencies.length - 1]!)}   ${String(watches).padStart(11)}   ${heapBefore.toFixed(1)} → ${heapWith.toFixed(1)} → ${heapAfter.toFixed(1)}`,
      );
    }
  }
  const stats = live.hub.stats();
  console.log(`after all left: hub ${JSON.stringify(stats)}, informers ${JSON.stringify(live.informers.stats())}`);

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
