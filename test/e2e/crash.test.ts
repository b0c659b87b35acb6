/**
 * Crash safety: cairn runs as a child process (`node --import tsx src/main.ts`) against sandbox
 * clusters of the test process, and is killed with SIGKILL at several points of a release; a new
 * process on the same database finishes the order. That each batch was applied once and none was
 * skipped is asserted from the order's recorded history *and* from the cluster: a recorder in the
 * test process watches the workloads and pods throughout (every replicas / partition value, the
 * Deployments' rollout revisions, every pod created or deleted per cairn revision).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkloads } from '../../src/kube/workloads.js';
import type { EnvironmentTarget } from '../../src/kube/workloads-types.js';
import { createProcessGroup, writeKubeconfigs, type CairnProcess } from './cairn-process.js';
import { recordNamespace, type ClusterRecorder } from './cluster-recorder.js';
import { startSandboxes, tempDatabase, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from './operations.js';

let sandboxes: Sandboxes;
let db: ReturnType<typeof tempDatabase>;
let kubeconfig: string;
const processes = createProcessGroup();
const recorders: ClusterRecorder[] = [];

beforeAll(async () => {
  sandboxes = await startSandboxes();
  db = tempDatabase();
  kubeconfig = writeKubeconfigs(sandboxes, resolve(db.path, '..'));
});
afterAll(async () => {
  processes.killAll();
  for (const r of recorders) r.stop();
  await sandboxes?.stop();
  db?.remove();
});

/** Starts cairn as a process; resolves once it is ready. */
const startProcess = (): Promise<CairnProcess> =>
  processes.start({
    name: 'cairn',
    env: {
      CAIRN_DATABASE: db.path,
      CAIRN_KUBECONFIG: kubeconfig,
      CAIRN_RELEASE_RESYNC_INTERVAL_MS: '300',
      // A killed process never releases the engine lease, but the next one, on the same host, knows its pid
      // has exited and takes the lease at once: with a lease longer than every wait below, a wait for the
      // expiry would fail the test.
      CAIRN_ENGINE_LEASE_TTL_MS: '60000',
    },
    // The first start wrote the admin token next to the database; later starts reuse it.
    adminToken: () => readFileSync(join(dirname(db.path), 'admin-token'), 'utf8').trim(),
  });

type AppType = 'STATELESS' | 'STATEFUL';
const CASES: { appType: AppType; name: string }[] = [
  { appType: 'STATELESS', name: 'sturdy' },
  { appType: 'STATEFUL', name: 'steadfast' },
];

describe.each(CASES)('crash safety (SIGKILL), $appType app, 4 instances in 4 batches', ({ appType, name }) => {
  it('kills right after submission, inside batch 2 (applied, not Ready) and at the end of batch 3 (done in the cluster, perhaps not recorded): each batch is applied once, none skipped', async () => {
    let proc = await startProcess();
    const api = () => ({ gql: proc.gql }) as unknown as Cairn;
    const stateIs = (id: string, state: string, batchesDone?: number) => async () => {
      const o = await readOrder(api(), id);
      return o.state === state && (batchesDone === undefined || o.batchesDone === batchesDone) ? o : undefined;
    };
    const { envId } = await createApp(api(), name, appType);
    await setDraft(api(), envId, { instances: 4, tag: '1.25', greeting: 'one', file: 'one' });
    const first = (await createOrder(api(), { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
    await until('first release', stateIs(first.id, 'COMPLETED'), 30_000);

    const namespace = `cairn-${name}`;
    const target: EnvironmentTarget = { cluster: 'e2e-production', namespace, appName: name, appType, environmentKind: 'PRODUCTION' };
    const kube = createWorkloads((c) => sandboxes.kubeConfig(c));
    const observe = async () => {
      const r = await kube.observeEnvironment(target);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    await until('4 Ready on revision 1', async () => {
      const o = await observe();
      return o.instances.filter((p) => !p.terminating && p.ready && p.revision === 1).length === 4 && o.instances.length === 4 ? o : undefined;
    });
    const rec = await recordNamespace(sandboxes.kubeConfig('e2e-production'), namespace);
    recorders.push(rec);
    const workload = (revision: number) => [...rec.workloads.values()].find((w) => (appType === 'STATEFUL' ? w.kind === 'StatefulSet' : w.kind === 'Deployment' && w.revision === revision));
    const podsOf = (revision: number) => [...rec.pods.values()].filter((p) => p.revision === revision);
    /** Batch `k`'s change reached the cluster: the new Deployment scaled to k, or the partition lowered to 4 − k. */
    const applied = (k: number) => () => (appType === 'STATELESS' ? workload(2)?.replicas.at(-1) === k : workload(2)?.partitions.at(-1) === 4 - k);
    /** Batch `k` is done as far as the cluster goes: the old Deployment scaled down to 4 − k, or k Ready pods on the new revision. */
    const doneInCluster = (k: number) => () =>
      appType === 'STATELESS' ? workload(1)?.replicas.at(-1) === 4 - k : podsOf(2).filter((p) => p.ready && !p.deleted).length === k;

    /** While paused after batch k: exactly k instances on the new revision (the highest ordinals for a StatefulSet), 4 − k on the old, all Ready. */
    const expectPausedAt = async (k: number) => {
      const o = await observe();
      const live = o.instances.filter((p) => !p.terminating);
      expect(live.filter((p) => p.revision === 2 && p.ready)).toHaveLength(k);
      expect(live.filter((p) => p.revision === 1 && p.ready)).toHaveLength(4 - k);
      if (appType === 'STATELESS') {
        expect(o.revisions.map((r) => [r.number, r.desired])).toEqual([
          [1, 4 - k],
          [2, k],
        ]);
      } else {
        expect(o.statefulSet).toMatchObject({ revision: 2, replicas: 4, partition: 4 - k });
        expect(live.filter((p) => p.revision === 2).map((p) => p.name).sort()).toEqual(Array.from({ length: k }, (_, i) => `${name}-production-${3 - i}`).sort());
      }
    };

    await setDraft(api(), envId, { instances: 4, tag: '1.27', greeting: 'two', file: 'two' });
    const order = (await createOrder(api(), { environment: envId, batchCount: 4, pauseMode: 'EVERY_BATCH' })).releaseOrder;
    expect(order).toMatchObject({ batchSizes: [1, 1, 1, 1], revision: { number: 2 } });
    const id = order.id;
    await proc.kill(); // A: right after the submission

    // Each kill point waits for the cluster to get there, then kills at once.
    const killPoints: Record<number, { what: string; test: () => boolean } | undefined> = {
      2: { what: 'batch 2 applied', test: applied(2) },
      3: { what: 'batch 3 done in the cluster', test: doneInCluster(3) },
    };
    for (let batch = 1; batch <= 3; batch++) {
      proc = await startProcess();
      await until(`pause after batch ${batch}`, stateIs(id, 'PAUSED', batch), 30_000);
      await expectPausedAt(batch);
      await orderAction(api(), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
      const point = killPoints[batch + 1];
      if (!point) continue;
      await rec.when(point.what, point.test);
      await proc.kill(); // B, C
    }
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'), 30_000);

    // The history: each batch done once, in order, a pause after each of the first three.
    const engine = done.transitions.filter((t: { actor: string }) => t.actor === 'cairn').map((t: { to: string; reason: string }) => `${t.to}: ${t.reason.split(':')[0]}`);
    expect(engine).toEqual(['PAUSED: batch 1 of 4 done', 'PAUSED: batch 2 of 4 done', 'PAUSED: batch 3 of 4 done', 'COMPLETED: batch 4 of 4 done']);
    expect(done.transitions.filter((t: { to: string }) => t.to === 'DEPLOYING')).toHaveLength(4); // submitted + 3 resumes

    // The cluster: the old instances all removed, exactly four new ones, none created twice.
    await rec.when('old instances gone', () => podsOf(1).every((p) => p.deleted) && podsOf(2).filter((p) => p.ready && !p.deleted).length === 4);
    const story = () => `${rec.describe()}\n${processes.story()}`;
    expect(podsOf(1), story()).toHaveLength(4); // no old instance was recreated
    expect(podsOf(2).map((p) => [p.ready, p.deleted]), story()).toEqual(Array.from({ length: 4 }, () => [true, false])); // each new one created once
    if (appType === 'STATELESS') {
      // One step per batch, in order, never back: scale-ups and scale-downs by one instance.
      // (The new Deployment is created at the first batch's size: the batch starts with it.)
      expect(workload(2)!.replicas).toEqual([1, 2, 3, 4]);
      expect(workload(1)!.replicas).toEqual([4, 3, 2, 1, 0]);
      // Neither Deployment's pod template changed: one rollout each (a re-applied template would start another).
      expect([workload(1)!.rollouts, workload(2)!.rollouts]).toEqual([['1'], ['1']]);
      expect([...rec.workloads.values()]).toHaveLength(2);
      await expectPausedAt(4);
    } else {
      // The template switched once (partition 4 = nothing yet), then one ordinal per batch.
      expect(workload(2)!.partitions).toEqual([0, 4, 3, 2, 1, 0]);
      expect(workload(2)!.replicas).toEqual([4]);
      expect(podsOf(2).map((p) => p.name).sort()).toEqual([0, 1, 2, 3].map((n) => `${name}-production-${n}`));
      await expectPausedAt(4);
    }
    rec.stop();
    await proc.kill();
  }, 120_000);
});
