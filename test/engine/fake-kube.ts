/** The engine's tests' fake of the Kubernetes layer (deployments Ready at once) and a database with one app. */
import type { Database } from '../../src/db/database.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { presetSettings } from '../../src/domain/official-images.js';
import type { KubePort } from '../../src/engine/kube-port.js';
import { createReleaseOrder } from '../../src/engine/orders.js';
import type { EnvironmentObservation } from '../../src/kube/workloads-types.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import type { DatabaseUnderTest } from '../db/each-database.js';

/** Deployments whose pods are Ready the moment they are asked for. */
export function fakeKube() {
  const replicas = new Map<number, number>();
  const calls: string[] = [];
  let gate: Promise<void> | null = null;
  let onGate = () => {};
  const ok = { ok: true as const, value: undefined };
  const kube: KubePort = {
    ensureBase: async () => (calls.push('ensureBase'), ok),
    ensureRevision: async (_t, r, n) => (calls.push(`ensureRevision ${r.number} ${n}`), replicas.set(r.number, replicas.get(r.number) ?? n), ok),
    scaleRevision: async (_t, n, count) => (calls.push(`scale ${n} ${count}`), replicas.set(n, count), ok),
    setPartition: async () => ok,
    deleteInstances: async () => ok,
    removeRevision: async (_t, n) => (calls.push(`remove ${n}`), replicas.delete(n), ok),
    listRevisionsInCluster: async () => ({
      ok: true,
      value: [...replicas].map(([number, n]) => ({ number, workload: `w-r${number}`, replicas: n, releaseOrderId: null, deleting: false })),
    }),
    async observeEnvironment() {
      if (gate) {
        onGate();
        await gate;
      }
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
    /** Holds the next observations; `reached` resolves when a pass waits on the hold. */
    hold() {
      let open = () => {};
      gate = new Promise((resolve) => (open = resolve));
      const reached = new Promise<void>((resolve) => (onGate = resolve));
      const release = () => {
        gate = null;
        open();
      };
      return { reached, release };
    },
  };
}

/** A new database of `target`'s kind (closed after the test by describeEachDatabase), seeded with the app 'shop'. */
export async function setUp(target: DatabaseUnderTest): Promise<{ repos: Repositories; envId: number; database: Database }> {
  const database = await target.open();
  return { ...(await seed(database)), database };
}

/** Repositories over `database` (SQLite or PostgreSQL) with one stateless app 'shop' of 4 instances; its production environment's id. */
export async function seed(database: Database): Promise<{ repos: Repositories; envId: number }> {
  const repos = createRepositories(database, { cipher: createCipher(randomKey()) });
  const settings = { ...presetSettings('NGINX'), instances: 4 };
  const app = await repos.apps.create(
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
  return { repos, envId: (await repos.apps.environmentsOfApps([app.id]))[0]!.id };
}

/** Submits an order of the draft (as a restart: the draft never changes in these tests). */
export const submit = (repos: Repositories, envId: number, pauseMode: 'NONE' | 'FIRST_BATCH' = 'NONE') =>
  repos.transaction(async () =>
    createReleaseOrder(repos, { environment: (await repos.apps.environmentsByIds([envId]))[0]!, batchCount: 2, pauseMode, description: '', restart: true }, 'alice', new Date()),
  );

