/**
 * What the live benches share: cairn's server in this process (createCairn, no release engine) on a
 * sandbox cluster (API server on loopback, no controllers, no node agent), an admin token, the app
 * `bench` with its production namespace and one pod, and a raw watch of that namespace's pods in this
 * process — the floor: the moment a change reached this process, before any of cairn's code.
 */
import { performance } from 'node:perf_hooks';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { createCairn } from '../../src/app.js';
import { issueToken } from '../../src/auth/tokens.js';
import { kubeconfigText } from '../../src/sandbox/apiserver/kubeconfig.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { alwaysReachable, testConfig } from '../../test/helpers/cairn.js';
import { rawWatch } from './raw-watch.js';

export const POD = 'bench-production-r1-a';

export interface LiveBench {
  cluster: SandboxCluster;
  cairn: Awaited<ReturnType<typeof createCairn>>;
  /** cairn's GraphQL endpoint (http). */
  url: string;
  authorization: string;
  env: { id: string; namespace: string };
  /** Changes the pod (an annotation): its new resourceVersion and when the PATCH was sent (epoch ms). */
  touch(step: string): Promise<{ version: string; sentAt: number }>;
  /** When the raw watch saw `version` (epoch ms). */
  rawArrival(version: string): Promise<number>;
  /** cairn's open pod watches on the cluster. */
  podWatches(): number;
  stop(): Promise<void>;
}

/** Epoch milliseconds with sub-millisecond precision (comparable across processes on one machine). */
export const now = () => performance.timeOrigin + performance.now();

/** Starts it all; `most` subscribers of one token are allowed (subscription cap and rate lifted above it). */
export async function startLiveBench(most: number): Promise<LiveBench> {
  const cluster = await startSandboxCluster({ name: 'alpha', controllers: false, nodeAgent: false });
  const config = testConfig({ logLevel: 'silent', shutdownTimeoutMs: 500, maxSubscriptionsPerToken: 2 * most, rateLimitPerMinute: 100 * most });
  const cairn = await createCairn(config, {
    logger: pino({ level: 'silent' }),
    kubeconfig: {
      documents: [
        { text: cluster.kubeconfig, origin: 'alpha', sandbox: true },
        { text: kubeconfigText([{ name: 'beta', url: cluster.url }]), origin: 'beta', sandbox: true },
      ],
    },
    testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false, live: { hub: { lingerMs: 100 }, informers: { idleMs: 100 } } },
  });
  const { url } = await cairn.start();
  const { secret } = await issueToken(cairn.repos, { name: 'bench', admin: true, grants: [], expiresAt: null }, 'bench', new Date());
  const authorization = `Bearer ${secret}`;
  const created = await (
    await cairn.server.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({
        query: 'mutation ($input: CreateAppInput!) { createApp(input: $input) { ... on CreateAppPayload { app { environments { id kind namespace } } } } }',
        variables: { input: { name: 'bench', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', officialImage: 'NGINX' } },
      }),
    })
  ).json();
  const env = (created as any).data.createApp.app.environments.find((e: any) => e.kind === 'PRODUCTION') as { id: string; namespace: string };
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = env.namespace;
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  const labels = { 'cairn.dev/app': 'bench', 'cairn.dev/environment': 'production', 'app.kubernetes.io/managed-by': 'cairn', 'cairn.dev/revision': '1' };
  await core.createNamespacedPod({ namespace, body: { metadata: { name: POD, labels }, spec: { containers: [{ name: 'bench', image: 'nginx:1.25' }] } } });

  const arrivals = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  const raw = rawWatch(cluster.url, `/api/v1/namespaces/${namespace}/pods`, (_type, object, at) => {
    const version = object.metadata.resourceVersion!;
    const epoch = performance.timeOrigin + at;
    arrivals.set(version, epoch);
    waiters.get(version)?.(epoch);
  });
  await raw.opened;

  return {
    cluster,
    cairn,
    url,
    authorization,
    env,
    async touch(step) {
      const sentAt = now();
      const pod = await core.patchNamespacedPod({ name: POD, namespace, body: [{ op: 'add', path: '/metadata/annotations', value: { step } }] });
      return { version: pod.metadata!.resourceVersion!, sentAt };
    },
    async rawArrival(version) {
      const at = arrivals.get(version) ?? (await new Promise<number>((r) => waiters.set(version, r)));
      arrivals.delete(version);
      waiters.delete(version);
      return at;
    },
    // Cluster-wide (cairn's shared informer), as the sandbox counts them.
    podWatches: () => cluster.counters.watches({ resource: 'pods' }).filter((w) => w.namespace === undefined).length,
    async stop() {
      raw.stop();
      await cairn.stop();
      await cluster.stop();
    },
  };
}
