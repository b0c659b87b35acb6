import { describe, expect, it, vi } from 'vitest';
import { isUniqueViolation } from '../../src/db/errors.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { SQLiteDialect } from 'drizzle-orm/sqlite-core';
import { countRows, describeEachDatabase, rawRows } from '../db/each-database.js';

const now = new Date('2026-11-25T17:00:00Z');
const later = new Date('2026-11-25T17:05:00Z');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const newOrder = (environmentId: number, toRevision = 1) => ({
  environmentId,
  kind: 'RELEASE' as const,
  fromRevision: null,
  toRevision,
  plan: [2, 2],
  pauseMode: 'FIRST_BATCH' as const,
  state: 'DEPLOYING' as const,
  direction: 'FORWARD' as const,
  cursor: freshCursor(now),
  description: '',
  createdBy: 'alice',
});

describeEachDatabase('releases repository', (target) => {
  async function fresh(): Promise<{ repos: Repositories; envId: number; otherEnvId: number; appId: number; database: Awaited<ReturnType<typeof target.open>> }> {
    const database = await target.open();
    const repos = createRepositories(database, { cipher: createCipher(randomKey()) });
    const settings = presetSettings('NGINX');
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
      now,
    );
    const [prod, test] = await repos.apps.environmentsOfApps([app.id]);
    return { repos, envId: prod!.id, otherEnvId: test!.id, appId: app.id, database };
  }

  it('numbers revisions per environment and keeps their full settings, secrets included', async () => {
    const { repos, envId, otherEnvId } = await fresh();
    const settings = { ...presetSettings('NGINX'), env: [{ name: 'TOKEN', value: 's3cret', secret: true }] };
    const r1 = await repos.releases.createRevision({ environmentId: envId, image: 'nginx:1.25', imageTag: '1.25', settings, createdBy: 'alice' }, now);
    const r2 = await repos.releases.createRevision({ environmentId: envId, image: 'nginx:1.27', imageTag: '1.27', settings, createdBy: 'alice' }, now);
    const other = await repos.releases.createRevision({ environmentId: otherEnvId, image: 'nginx:1.25', imageTag: '1.25', settings, createdBy: 'bob' }, now);
    expect([r1.number, r2.number, other.number]).toEqual([1, 2, 1]);
    expect(r1.createdAt).toEqual(now);
    expect((await repos.releases.revision(envId, 1))?.settings).toEqual(settings);
    expect((await repos.releases.revisionsOf(envId, 0, 10)).map((r) => r.number)).toEqual([2, 1]);
    expect(await repos.releases.countRevisions(envId)).toBe(2);
  });

  it('guarded writes: a stale version writes nothing; a write that changes nothing is skipped', async () => {
    const { repos, envId } = await fresh();
    const order = await repos.releases.createOrder(newOrder(envId), now);
    expect(order.version).toBe(1);
    expect(order.plan).toEqual([2, 2]);
    const same = await repos.releases.updateOrder(order, { state: 'DEPLOYING', cursor: { ...order.cursor } }, later);
    expect(same).toBe(order);
    // The same cursor built anew (its keys in the code's order, not the order jsonb gave them back in) is no change either.
    const rebuilt = await repos.releases.updateOrder(order, { cursor: freshCursor(now) }, later);
    expect(rebuilt).toBe(order);
    expect(await repos.releases.order(order.id)).toMatchObject({ version: 1, updatedAt: now });
    const paused = (await repos.releases.updateOrder(order, { state: 'PAUSED' }, later))!;
    expect(paused).toMatchObject({ version: 2, state: 'PAUSED', updatedAt: later });
    expect(await repos.releases.updateOrder(order, { state: 'CLOSED' }, later)).toBeUndefined(); // read at version 1
    expect((await repos.releases.order(order.id))?.state).toBe('PAUSED');
  });

  it('guarded writes store what they are given: the fields changed together, a time and then null, JSON, each read back as written', async () => {
    const { repos, envId } = await fresh();
    const order = await repos.releases.createOrder(newOrder(envId), now);
    expect(order).toMatchObject({ finishedAt: null, version: 1, createdAt: now, updatedAt: now, direction: 'FORWARD' });
    const cursor = { ...freshCursor(now), batchesDone: 1 };
    const finished = (await repos.releases.updateOrder(order, { state: 'COMPLETED', cursor, finishedAt: later }, later))!;
    expect(finished).toMatchObject({ version: 2, state: 'COMPLETED', cursor, finishedAt: later, updatedAt: later });
    const evenLater = new Date(later.getTime() + 60_000);
    // The same fields, one of them now null (written as null, not as a time), then a time again.
    const reopened = (await repos.releases.updateOrder(finished, { state: 'DEPLOYING', cursor: freshCursor(now), finishedAt: null }, evenLater))!;
    expect(reopened).toMatchObject({ version: 3, state: 'DEPLOYING', finishedAt: null, updatedAt: evenLater });
    const again = (await repos.releases.updateOrder(reopened, { state: 'COMPLETED', cursor, finishedAt: evenLater }, evenLater))!;
    expect(again).toMatchObject({ version: 4, finishedAt: evenLater });
    expect(await repos.releases.order(order.id)).toEqual(again);
    const t = await repos.releases.addTransition({ orderId: order.id, fromState: null, toState: 'DEPLOYING', actor: 'alice', reason: 'submitted', at: now });
    expect(t).toMatchObject({ orderId: order.id, fromState: null, toState: 'DEPLOYING', at: now });
    expect(await repos.releases.transitionsOf([order.id])).toEqual([t]);
  });

  it('one active order per environment, enforced by the database too (the partial unique index)', async () => {
    const { repos, envId, otherEnvId, appId } = await fresh();
    const first = await repos.releases.createOrder(newOrder(envId), now);
    expect((await repos.releases.activeOrderOf(envId))?.id).toBe(first.id);
    expect(await repos.apps.activeReleaseOrderOf(appId)).toEqual({ id: first.id });
    expect(isUniqueViolation(await rejection(repos.releases.createOrder(newOrder(envId), now)))).toBe(true);
    // Every active state counts; a finished one does not.
    for (const state of ['PAUSED', 'FAILED', 'ROLLING_BACK'] as const) {
      expect(isUniqueViolation(await rejection(repos.releases.createOrder({ ...newOrder(envId), state }, now)))).toBe(true);
    }
    await repos.releases.createOrder({ ...newOrder(envId), state: 'CLOSED' }, now);
    await repos.releases.createOrder(newOrder(otherEnvId), now);
    await repos.releases.updateOrder(first, { state: 'COMPLETED', finishedAt: later }, later);
    const second = await repos.releases.createOrder(newOrder(envId, 2), later);
    expect((await repos.releases.ordersOf(envId, 0, 10)).map((o) => o.id)[0]).toBe(second.id);
    expect(await repos.releases.countOrders(envId)).toBe(3);
    expect((await repos.releases.lastCompletedOrderOf(envId))?.id).toBe(first.id);
    expect((await repos.releases.activeOrders()).map((o) => o.environmentId).sort()).toEqual([envId, otherEnvId].sort());
  });

  it('inside a transaction, a refused order (unique violation) can be caught and the transaction goes on', async () => {
    const { repos, envId } = await fresh();
    const first = await repos.releases.createOrder(newOrder(envId), now);
    const seen = await repos.transaction(async () => {
      await repos.releases.addTransition({ orderId: first.id, fromState: null, toState: 'DEPLOYING', actor: 'alice', reason: 'kept', at: now });
      const error = await rejection(repos.releases.createOrder(newOrder(envId), now));
      expect(isUniqueViolation(error)).toBe(true);
      // What src/engine/orders.ts does after the violation: read the order that holds the environment.
      return (await repos.releases.activeOrderOf(envId))?.id;
    });
    expect(seen).toBe(first.id);
    expect((await repos.releases.transitionsOf([first.id])).map((t) => t.reason)).toEqual(['kept']);
  });

  it('the last completed order: the one finished last, a finished order without a finish time last of all', async () => {
    const { repos, envId } = await fresh();
    const done = async (finishedAt: Date | null, state: 'COMPLETED' | 'ROLLED_BACK' = 'COMPLETED') => {
      const order = await repos.releases.createOrder(newOrder(envId), now);
      return (await repos.releases.updateOrder(order, { state, finishedAt }, now))!;
    };
    const a = await done(later);
    await done(null); // newer, but with no finish time: SQLite sorts NULL last when descending, PostgreSQL first unless told
    const b = await done(now, 'ROLLED_BACK');
    expect((await repos.releases.lastCompletedOrderOf(envId))?.id).toBe(a.id);
    expect((await repos.releases.lastCompletedOrdersOf([envId])).map((o) => o.id)).toEqual([a.id]);
    expect(b.finishedAt).toEqual(now);
  });

  it('batch reads by IDs: any number of IDs (none, unknown ones) in one statement, its SQL built once per connection on SQLite', async () => {
    const { repos, envId, otherEnvId, appId, database } = await fresh();
    const settings = { ...presetSettings('NGINX'), env: [{ name: 'TOKEN', value: 's3cret', secret: true }] };
    const revisions: Awaited<ReturnType<typeof repos.releases.createRevision>>[] = [];
    for (const environmentId of [envId, envId, otherEnvId]) revisions.push(await repos.releases.createRevision({ environmentId, image: 'nginx:1.25', imageTag: '1.25', settings, createdBy: 'alice' }, now));
    expect(revisions.map((r) => r.number)).toEqual([1, 2, 1]);
    const order = await repos.releases.createOrder(newOrder(envId), now);
    await repos.releases.addTransition({ orderId: order.id, fromState: null, toState: 'DEPLOYING', actor: 'alice', reason: 'submitted', at: now });
    await repos.releases.addTransition({ orderId: order.id, fromState: 'DEPLOYING', toState: 'PAUSED', actor: 'cairn', reason: 'paused', at: later });
    const reads = async (extra: number[]) => ({
      revisions: (await repos.releases.revisionsByIds([...revisions.map((r) => r.id), ...extra])).sort((x, y) => x.id - y.id),
      orders: (await repos.releases.ordersByIds([order.id, ...extra])).map((o) => o.id),
      active: (await repos.releases.activeOrdersOf([envId, otherEnvId, ...extra])).map((o) => o.id),
      transitions: (await repos.releases.transitionsOf([order.id, ...extra])).map((t) => t.toState),
      environments: (await repos.apps.environmentsOfApps([appId, ...extra])).map((e) => e.id),
      apps: (await repos.apps.byIds([appId, ...extra])).map((a) => a.id),
      configs: (await repos.configs.byEnvironmentIds([envId, ...extra])).map((c) => c.environmentId),
    });
    expect(await repos.releases.revisionsByIds([])).toEqual([]);
    const first = await reads([]);
    expect(first.revisions.map((r) => [r.environmentId, r.number])).toEqual([
      [envId, 1],
      [envId, 2],
      [otherEnvId, 1],
    ]);
    expect(first.revisions[0]!.settings).toEqual(settings); // secrets opened
    expect(first).toMatchObject({ orders: [order.id], active: [order.id], transitions: ['DEPLOYING', 'PAUSED'], environments: [envId, otherEnvId].sort((x, y) => x - y), apps: [appId], configs: [envId] });
    // Another number of IDs, unknown ones among them: the same answers, and on SQLite no SQL built again.
    const builds = vi.spyOn(SQLiteDialect.prototype, 'sqlToQuery');
    try {
      const again = await reads([999_998, 999_999]);
      expect(again).toEqual(first);
      if (database.kind === 'sqlite') expect(builds).not.toHaveBeenCalled();
    } finally {
      builds.mockRestore();
    }
  });

  it('records transitions in order and failures once per instance until resolved', async () => {
    const { repos, envId } = await fresh();
    const order = await repos.releases.createOrder(newOrder(envId), now);
    await repos.releases.addTransition({ orderId: order.id, fromState: null, toState: 'DEPLOYING', actor: 'alice', reason: 'submitted', at: now });
    await repos.releases.addTransition({ orderId: order.id, fromState: 'DEPLOYING', toState: 'FAILED', actor: 'cairn', reason: 'batch 1 failed', at: later });
    const transitions = await repos.releases.transitionsOf([order.id]);
    expect(transitions.map((t) => t.toState)).toEqual(['DEPLOYING', 'FAILED']);
    expect(transitions.map((t) => t.at)).toEqual([now, later]);
    const failure = { orderId: order.id, batch: 0, direction: 'FORWARD' as const, instanceName: 'shop-1', reason: 'IMAGE_PULL', message: 'not found', firstSeenAt: now };
    await repos.releases.addFailure(failure);
    await repos.releases.addFailure({ ...failure, firstSeenAt: later });
    expect(await repos.releases.openFailuresOf(order.id)).toHaveLength(1);
    expect(await repos.releases.resolveFailures(order.id, later)).toBe(1);
    expect(await repos.releases.openFailuresOf(order.id)).toHaveLength(0);
    await repos.releases.addFailure({ ...failure, firstSeenAt: later });
    expect((await repos.releases.failuresOf([order.id])).map((f) => f.resolvedAt)).toEqual([later, null]);
  });

  it('deleting the app removes its revisions and orders (foreign keys cascade)', async () => {
    const { repos, envId, appId, database } = await fresh();
    const order = await repos.releases.createOrder(newOrder(envId), now);
    await repos.releases.addTransition({ orderId: order.id, fromState: null, toState: 'DEPLOYING', actor: 'alice', reason: 'submitted', at: now });
    await repos.releases.updateOrder(order, { state: 'CLOSED' }, now);
    expect(await repos.apps.delete(appId)).toBe(true);
    expect(await repos.releases.order(order.id)).toBeUndefined();
    for (const table of ['release_orders', 'order_transitions', 'revisions']) expect(await countRows(database, table)).toBe(0);
    expect(await rawRows(database, 'SELECT id FROM environments')).toEqual([]);
  });
});
