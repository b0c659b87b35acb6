/** The reconciler against an in-memory fake of the Kubernetes layer: start-up resume, call sequence, guarded writes. */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { applyEvent } from '../../src/engine/apply.js';
import type { KubePort } from '../../src/engine/kube-port.js';
import { createReleaseOrder } from '../../src/engine/orders.js';
import { createReconciler, type Reconciler } from '../../src/engine/reconciler.js';
import type { EnvironmentObservation } from '../../src/kube/workloads-types.js';

const logger = pino({ level: 'silent' });
const opened: OpenDatabase[] = [];
const reconcilers: Reconciler[] = [];
afterEach(async () => {
  for (const r of reconcilers.splice(0)) await r.stop();
  for (const d of opened.splice(0)) d.close();
});

/** Deployments whose pods are Ready the moment they are asked for. */
function fakeKube() {
  const replicas = new Map<number, number>();
  const calls: string[] = [];
  let gate: Promise<void> | null = null;
  const ok = { ok: true as const, value: undefined };
  const kube: KubePort = {
    ensureBase: async () => (calls.push('ensureBase'), ok),
    ensureRevision: async (_t, r, n) => (calls.push(`ensureRevision ${r.number} ${n}`), replicas.set(r.number, replicas.get(r.number) ?? n), ok),
    scaleRevision: async (_t, n, count) => (calls.push(`scale ${n} ${count}`), replicas.set(n, count), ok),
    setPartition: async () => ok,
    deleteInstances: async () => ok,
    removeRevision: async (_t, n) => (calls.push(`remove ${n}`), replicas.delete(n), ok),
    async observeEnvironment() {
      if (gate) await gate;
      const value: EnvironmentObservation = {
        revisions: [...replicas].map(([number, n]) => ({ number, desired: n, current: n, ready: n, workload: `w-r${number}` })),
        instances: [],
        statefulSet: null,
        observedAt: new Date(),
      };
      return { ok: true, value };
    },
    watchEnvironment: () => undefined,
  };
  return {
    kube,
    calls,
    replicas,
    hold() {
      let open = () => {};
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
  };
}

function setUp(): { repos: Repositories; envId: number } {
  const database = openDatabase(':memory:');
  opened.push(database);
  const repos = createRepositories(database.db);
  const settings = { ...presetSettings('NGINX'), instances: 4 };
  const app = repos.apps.create(
    {
      name: 'shop',
      businessType: 'ERP',
      description: '',
      appType: 'STATELESS',
      deployMethod: 'CONTAINER',
      environments: [
        { kind: 'PRODUCTION', cluster: 'a', namespace: 'cairn-shop', imageTag: '1.25', settings },
        { kind: 'TEST', cluster: 'b', namespace: 'cairn-shop', imageTag: '1.25', settings },
      ],
    },
    new Date(),
  );
  return { repos, envId: repos.apps.environmentsOfApps([app.id])[0]!.id };
}

const submit = (repos: Repositories, envId: number, pauseMode: 'NONE' | 'FIRST_BATCH' = 'NONE') =>
  repos.transaction(() => createReleaseOrder(repos, { environment: repos.apps.environmentsByIds([envId])[0]!, batchCount: 2, pauseMode, description: '' }, 'alice', new Date()));

function start(repos: Repositories, kube: KubePort): Reconciler {
  const r = createReconciler({ repos, kube, logger, batchDeadlineMs: 60_000, resyncIntervalMs: 60_000 });
  reconcilers.push(r);
  r.start();
  return r;
}

describe('reconciler', () => {
  it('at start-up picks up every active order and takes the steps in order: up first, then down', async () => {
    const { repos, envId } = setUp();
    const fake = fakeKube();
    // Revision 1 runs (a completed first order), revision 2 is submitted while no engine runs.
    const first = submit(repos, envId);
    repos.releases.updateOrder(first, { state: 'COMPLETED', finishedAt: new Date() }, new Date());
    fake.replicas.set(1, 4);
    const order = submit(repos, envId);
    const reconciler = start(repos, fake.kube);
    await reconciler.idle();
    expect(repos.releases.order(order.id)).toMatchObject({ state: 'COMPLETED', cursor: { batchesDone: 2 } });
    expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 2 0', 'scale 2 2', 'scale 1 2', 'scale 2 4', 'scale 1 0']);
  });

  it('a user action during a pass wins: the pass does not overwrite it', async () => {
    const { repos, envId } = setUp();
    const fake = fakeKube();
    const order = submit(repos, envId);
    const reconciler = start(repos, fake.kube);
    await reconciler.idle();
    expect(repos.releases.order(order.id)?.state).toBe('COMPLETED');

    const next = submit(repos, envId, 'FIRST_BATCH');
    const release = fake.hold();
    reconciler.wake(next.id);
    await new Promise((r) => setTimeout(r, 20)); // the pass now waits on the cluster
    repos.transaction(() => applyEvent(repos, next.id, { type: 'CLOSE', reason: 'changed my mind' }, 'bob', new Date()));
    release();
    await reconciler.idle();
    const closed = repos.releases.order(next.id)!;
    expect(closed.state).toBe('CLOSED');
    expect(repos.releases.transitionsOf([next.id]).map((t) => `${t.toState}:${t.actor}`)).toEqual(['DEPLOYING:alice', 'CLOSED:bob']);
    expect(fake.calls.filter((c) => c.startsWith('scale 2'))).toEqual([]); // revision 2 never scaled
  });

  it('pauses after the first batch and goes on only after resume', async () => {
    const { repos, envId } = setUp();
    const fake = fakeKube();
    const order = submit(repos, envId, 'FIRST_BATCH');
    const reconciler = start(repos, fake.kube);
    await reconciler.idle();
    expect(repos.releases.order(order.id)).toMatchObject({ state: 'PAUSED', cursor: { batchesDone: 1 } });
    expect(fake.replicas.get(1)).toBe(2);
    const resumed = repos.transaction(() => applyEvent(repos, order.id, { type: 'RESUME' }, 'bob', new Date()));
    expect(resumed.wake).toBe(true);
    reconciler.wake(order.id);
    await reconciler.idle();
    expect(repos.releases.order(order.id)?.state).toBe('COMPLETED');
    expect(fake.replicas.get(1)).toBe(4);
  });
});
