/**
 * How long a step the cluster refuses for good takes to fail its release order: the time from the
 * refused call's answer (a Deployment of the revision's name already runs another image) to the
 * order stored FAILED with CLUSTER_REFUSED and its followers told; and from submission to FAILED,
 * beside its floor: the same two steps (ensureBase, the refused ensureRevision) called directly.
 *
 *   npx tsx bench/refusal-latency.ts          (ORDERS=50 to measure more orders)
 *
 * Everything runs in this process: one sandbox cluster (API server on loopback, controllers, node
 * agent) and cairn (createCairn) over an in-memory database. The engine is woken by the submission
 * (as createReleaseOrder does); no resync timer helps (it is set to 1 h), nor any environment watch.
 */
import { performance } from 'node:perf_hooks';
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { createCairn } from '../src/app.js';
import { presetSettings } from '../src/domain/official-images.js';
import type { KubePort } from '../src/engine/kube-port.js';
import { createReleaseOrder } from '../src/engine/orders.js';
import { isPermanent } from '../src/engine/refusal.js';
import { startSandboxCluster } from '../src/sandbox/cluster.js';
import { alwaysReachable, testConfig } from '../test/helpers/cairn.js';

const ORDERS = Number(process.env.ORDERS ?? 20);

const cluster = await startSandboxCluster({ name: 'bench', speed: 10 });
const kc = new KubeConfig();
kc.loadFromString(cluster.kubeconfig);
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);
const refusedAt = new Map<string, number>();
/** cairn's own Kubernetes layer, unwrapped: the floor calls it directly. */
let workloads!: KubePort;
const cairn = await createCairn(testConfig({ logLevel: 'silent', releaseBatchDeadlineMs: 600_000, releaseResyncIntervalMs: 3_600_000 }), {
  logger: pino({ level: 'silent' }),
  kubeconfig: { documents: [{ text: cluster.kubeconfig, origin: 'bench', sandbox: true }] },
  testing: {
    check: alwaysReachable,
    bootstrapAdminToken: false,
    kube: (kube) => {
      workloads = kube;
      return {
        ...kube,
        async ensureRevision(target, revision, replicas, options) {
          const r = await kube.ensureRevision(target, revision, replicas, options);
          if (!r.ok && isPermanent(r.error)) refusedAt.set(target.namespace, performance.now());
          return r;
        },
        watchEnvironment: () => undefined,
      };
    },
  },
});
await cairn.start();
const { repos, reconciler, orderEvents: events } = cairn;

/** A namespace where a Deployment of the name cairn gives revision 1 of app `name` already runs another image. */
async function squat(name: string, namespace: string) {
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: `${name}-production-r1` },
      spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.0' }] } } },
    },
  });
}

const toFailed: number[] = [];
const submitToFailed: number[] = [];
const direct: number[] = [];
for (let i = 0; i < ORDERS; i++) {
  // The floor: the same two steps called directly on the Kubernetes layer, without the engine or the database.
  const floorName = `floor${i}`;
  await squat(floorName, `cairn-${floorName}`);
  const floorTarget = { cluster: 'bench', namespace: `cairn-${floorName}`, appName: floorName, appType: 'STATELESS', environmentKind: 'PRODUCTION' } as const;
  const floorSettings = { ...presetSettings('NGINX'), instances: 2 };
  const floorStarted = performance.now();
  await workloads.ensureBase(floorTarget, floorSettings.ports);
  const refused = await workloads.ensureRevision(floorTarget, { number: 1, image: 'nginx:1.25', settings: floorSettings }, 0);
  if (refused.ok || !isPermanent(refused.error)) throw new Error('the floor was not refused');
  direct.push(performance.now() - floorStarted);

  const name = `squat${i}`;
  const namespace = `cairn-${name}`;
  await squat(name, namespace);
  const settings = { ...presetSettings('NGINX'), instances: 2 };
  const app = await repos.apps.create(
    {
      name,
      businessType: 'ERP',
      description: '',
      appType: 'STATELESS',
      deployMethod: 'CONTAINER',
      environments: [
        { kind: 'PRODUCTION', cluster: 'bench', namespace, imageTag: '1.25', settings },
        { kind: 'TEST', cluster: 'other', namespace, imageTag: '1.25', settings },
      ],
    },
    new Date(),
  );
  const environment = (await repos.apps.environmentsOfApps([app.id])).find((e) => e.kind === 'PRODUCTION')!;
  const submitted = performance.now();
  const order = await repos.transaction(() => createReleaseOrder(repos, { environment, batchCount: 1, pauseMode: 'NONE', description: '' }, 'bench', new Date()));
  // Followers are told after every pass over the order: the one that stored FAILED is the moment measured (taken when
  // told, before the order is read to see its state).
  const failed = new Promise<number>((resolve) => {
    let done = false;
    const unlisten = events.listen(order.id, () => {
      const told = performance.now();
      void repos.releases.order(order.id).then((read) => {
        if (done || read?.state !== 'FAILED') return;
        done = true;
        unlisten();
        resolve(told);
      });
    });
  });
  reconciler.wake(order.id);
  const at = await failed;
  const reason = (await repos.releases.openFailuresOf(order.id))[0]?.reason;
  if (reason !== 'CLUSTER_REFUSED') throw new Error(`order ${order.id} failed with ${reason}`);
  toFailed.push(at - refusedAt.get(namespace)!);
  submitToFailed.push(at - submitted);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `median ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${s.at(-1)!.toFixed(1)} ms`;
};
console.log(`${ORDERS} orders, each refused at its first revision step (409 AlreadyExists: the Deployment runs another image)`);
console.log(`refused call answered → order FAILED (CLUSTER_REFUSED) and followers told: ${stats(toFailed)}`);
console.log(`submission → order FAILED:                                               ${stats(submitToFailed)}`);
console.log(`floor: ensureBase + the refused ensureRevision called directly:             ${stats(direct)}`);
await cairn.stop();
await cluster.stop();
