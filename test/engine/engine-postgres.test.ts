/**
 * The release engine on a real PostgreSQL server (SERIALIZABLE transactions, savepoints, a pool): the reconciler's
 * passes, the guarded writes, a refusal, two submits racing for one environment, and the orders gauge — what the
 * SQLite tests beside this file check, on the other database. Skipped (with the reason) where PostgreSQL is not installed.
 */
import pg from 'pg';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openPostgresDatabase } from '../../src/db/pg/database.js';
import type { Repositories } from '../../src/db/repositories.js';
import { applyEvent } from '../../src/engine/apply.js';
import { ActiveReleaseOrderError } from '../../src/engine/errors.js';
import type { KubePort } from '../../src/engine/kube-port.js';
import { reconcileOrder } from '../../src/engine/reconcile.js';
import { createReconciler, type Reconciler } from '../../src/engine/reconciler.js';
import { createStepFailures } from '../../src/engine/step-failures.js';
import type { KubeError } from '../../src/kube/kube-errors.js';
import { createEngineMetrics } from '../../src/observability/engine-metrics.js';
import { startPgCluster, type PgCluster } from '../pg/pg-cluster.js';
import { sample } from '../observability/release-cairn.js';
import { fakeKube, seed, submit } from './fake-kube.js';

const logger = pino({ level: 'silent' });

describe('the release engine on PostgreSQL', () => {
  let cluster: PgCluster;
  let admin: pg.Pool;
  let databases = 0;
  // Started at collection, awaited by beforeAll and stopped by afterAll even if it ends after the hook gave up (test/pg/pg-cluster.ts).
  const starting = startPgCluster();
  starting.catch(() => undefined); // a failure is reported by beforeAll
  beforeAll(async () => {
    cluster = await starting;
    admin = new pg.Pool({ connectionString: cluster.url, max: 1, connectionTimeoutMillis: 10_000, query_timeout: 10_000 });
    admin.on('error', () => undefined);
  }, 120_000);
  afterAll(async () => {
    await admin?.end();
    await (await starting.catch(() => null))?.stop();
  });

  const opened: Database[] = [];
  const reconcilers: Reconciler[] = [];
  afterEach(async () => {
    for (const r of reconcilers.splice(0)) await r.stop();
    for (const d of opened.splice(0)) await d.close();
  });

  /** A database of its own (created on the test's server, migrated at open) with the app 'shop'. */
  async function setUp(): Promise<{ repos: Repositories; envId: number; database: Database }> {
    const name = `engine_${++databases}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(cluster.url);
    url.pathname = `/${name}`;
    const database = await openPostgresDatabase(url.toString(), { onIdleError: () => undefined });
    opened.push(database);
    return { ...(await seed(database)), database };
  }

  function start(repos: Repositories, kube: KubePort): Reconciler {
    const r = createReconciler({ repos, kube, logger, batchDeadlineMs: 60_000, resyncIntervalMs: 60_000 });
    reconcilers.push(r);
    r.start();
    return r;
  }

  const transitions = async (repos: Repositories, orderId: number) => (await repos.releases.transitionsOf([orderId])).map((t) => `${t.toState}:${t.actor}`);

  it('at start-up picks up every active order and takes the steps in order: up first, then down', async () => {
    const { repos, envId } = await setUp();
    const fake = fakeKube();
    const first = await submit(repos, envId);
    expect(await repos.releases.updateOrder(first, { state: 'COMPLETED', finishedAt: new Date() }, new Date())).toBeDefined();
    fake.replicas.set(1, 4);
    const order = await submit(repos, envId);
    const reconciler = start(repos, fake.kube);
    await reconciler.idle();
    expect(await repos.releases.order(order.id)).toMatchObject({ state: 'COMPLETED', cursor: { batchesDone: 2 } });
    expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 2 2', 'scale 1 2', 'scale 2 4', 'scale 1 0']);
    expect(await transitions(repos, order.id)).toEqual(['DEPLOYING:alice', 'COMPLETED:cairn']);
  });

  it('a user action during a pass wins: the pass writes nothing over it', async () => {
    const { repos, envId } = await setUp();
    const fake = fakeKube();
    const order = await submit(repos, envId, 'FIRST_BATCH');
    const { reached, release } = fake.hold();
    const reconciler = start(repos, fake.kube);
    await reached; // the first pass read the order and waits on the cluster
    await repos.transaction(() => applyEvent(repos, order.id, { type: 'CLOSE', reason: 'changed my mind' }, 'bob', new Date()));
    release();
    await reconciler.idle();
    expect(await repos.releases.order(order.id)).toMatchObject({ state: 'CLOSED', cursor: { prepared: false } });
    expect(await transitions(repos, order.id)).toEqual(['DEPLOYING:alice', 'CLOSED:bob']);
    // The pass carried out the steps it had decided before the close (idempotent), then its write found the order changed: no more.
    expect(fake.calls).toEqual(['ensureBase', 'ensureRevision 1 2']);
  });

  it('a step the cluster refuses for good fails the order within one pass, its failure recorded in the same transaction', async () => {
    const { repos, envId } = await setUp();
    const fake = fakeKube();
    const invalid: KubeError = { kind: 'Invalid', status: 422, reason: 'Invalid', message: 'spec.template.spec.containers[0].image: Required value', object: { kind: 'Deployment', namespace: 'cairn-shop', name: 'shop-production-r1' } };
    const kube: KubePort = { ...fake.kube, ensureRevision: async () => ({ ok: false, error: invalid }) };
    const order = await submit(repos, envId);
    const outcome = await reconcileOrder({ repos, kube, logger, now: () => new Date(), batchDeadlineMs: 60_000, stepFailures: createStepFailures() }, order.id);
    expect(outcome).toEqual({ next: 'AGAIN' });
    expect((await repos.releases.order(order.id))?.state).toBe('FAILED');
    expect(await repos.releases.openFailuresOf(order.id)).toMatchObject([{ instanceName: 'Deployment/shop-production-r1', reason: 'CLUSTER_REFUSED', batch: 0 }]);
    expect(await transitions(repos, order.id)).toEqual(['DEPLOYING:alice', 'FAILED:cairn']);
  });

  it('two submits racing for one environment: one order, the other refused with ActiveReleaseOrderError (nothing half-written)', async () => {
    const { repos, envId } = await setUp();
    const results = await Promise.allSettled([submit(repos, envId), submit(repos, envId), submit(repos, envId)]);
    const created = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as unknown);
    expect(created).toHaveLength(1);
    expect(refused).toHaveLength(2);
    for (const reason of refused) {
      expect(reason).toBeInstanceOf(ActiveReleaseOrderError);
      expect((reason as ActiveReleaseOrderError).activeOrderId).toBe(created[0]!.value.id); // the winner, named
    }
    expect((await repos.releases.activeOrders()).map((o) => o.id)).toEqual([created[0]!.value.id]);
    expect(await repos.releases.countRevisions(envId)).toBe(1); // the losers' revisions were rolled back with them
  });

  it('a guarded write from a stale read answers undefined and writes nothing', async () => {
    const { repos, envId } = await setUp();
    const order = await submit(repos, envId);
    expect((await repos.releases.updateOrder(order, { pauseMode: 'FIRST_BATCH' }, new Date()))?.version).toBe(order.version + 1);
    expect(await repos.releases.updateOrder(order, { cursor: { ...order.cursor, prepared: true } }, new Date())).toBeUndefined();
    expect(await repos.releases.order(order.id)).toMatchObject({ version: order.version + 1, pauseMode: 'FIRST_BATCH', cursor: { prepared: false } });
  });

  it('cairn_release_orders counts the orders by state', async () => {
    const { repos, envId, database } = await setUp();
    const first = await submit(repos, envId);
    await repos.releases.updateOrder(first, { state: 'COMPLETED', finishedAt: new Date() }, new Date());
    await submit(repos, envId);
    const registry = new Registry();
    createEngineMetrics(registry, { ordersCacheMs: 0 }).countOrdersIn(database);
    const text = await registry.metrics();
    expect([sample(text, 'cairn_release_orders', { state: 'COMPLETED' }), sample(text, 'cairn_release_orders', { state: 'DEPLOYING' }), sample(text, 'cairn_release_orders', { state: 'PAUSED' })]).toEqual([1, 1, 0]);
  });
});
