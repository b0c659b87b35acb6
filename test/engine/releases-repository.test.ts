import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { isUniqueViolation } from '../../src/db/errors.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { freshCursor } from '../../src/engine/order-state.js';

const now = new Date('2026-11-25T17:00:00Z');
const later = new Date('2026-11-25T17:05:00Z');
const opened: OpenDatabase[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function fresh(): { repos: Repositories; envId: number; otherEnvId: number; appId: number } {
  const database = openDatabase(':memory:');
  opened.push(database);
  const repos = createRepositories(database.db, { cipher: createCipher(randomKey()) });
  const settings = presetSettings('NGINX');
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
    now,
  );
  const [prod, test] = repos.apps.environmentsOfApps([app.id]);
  return { repos, envId: prod!.id, otherEnvId: test!.id, appId: app.id };
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

describe('releases repository', () => {
  it('numbers revisions per environment and keeps their full settings, secrets included', () => {
    const { repos, envId, otherEnvId } = fresh();
    const settings = { ...presetSettings('NGINX'), env: [{ name: 'TOKEN', value: 's3cret', secret: true }] };
    const r1 = repos.releases.createRevision({ environmentId: envId, image: 'nginx:1.25', imageTag: '1.25', settings, createdBy: 'alice' }, now);
    const r2 = repos.releases.createRevision({ environmentId: envId, image: 'nginx:1.27', imageTag: '1.27', settings, createdBy: 'alice' }, now);
    const other = repos.releases.createRevision({ environmentId: otherEnvId, image: 'nginx:1.25', imageTag: '1.25', settings, createdBy: 'bob' }, now);
    expect([r1.number, r2.number, other.number]).toEqual([1, 2, 1]);
    expect(repos.releases.revision(envId, 1)?.settings.env).toEqual([{ name: 'TOKEN', value: 's3cret', secret: true }]);
    expect(repos.releases.revisionsOf(envId, 0, 10).map((r) => r.number)).toEqual([2, 1]);
    expect(repos.releases.countRevisions(envId)).toBe(2);
  });

  it('guarded writes: a stale version writes nothing; a write that changes nothing is skipped', () => {
    const { repos, envId } = fresh();
    const order = repos.releases.createOrder(newOrder(envId), now);
    expect(order.version).toBe(1);
    const same = repos.releases.updateOrder(order, { state: 'DEPLOYING', cursor: { ...order.cursor } }, later);
    expect(same).toBe(order);
    expect(repos.releases.order(order.id)).toMatchObject({ version: 1, updatedAt: now });
    const paused = repos.releases.updateOrder(order, { state: 'PAUSED' }, later)!;
    expect(paused).toMatchObject({ version: 2, state: 'PAUSED', updatedAt: later });
    expect(repos.releases.updateOrder(order, { state: 'CLOSED' }, later)).toBeUndefined(); // read at version 1
    expect(repos.releases.order(order.id)?.state).toBe('PAUSED');
  });

  it('one active order per environment, enforced by the database too', () => {
    const { repos, envId, otherEnvId, appId } = fresh();
    const first = repos.releases.createOrder(newOrder(envId), now);
    expect(repos.releases.activeOrderOf(envId)?.id).toBe(first.id);
    expect(repos.apps.activeReleaseOrderOf(appId)).toEqual({ id: first.id });
    let error: unknown;
    try {
      repos.releases.createOrder(newOrder(envId), now);
    } catch (e) {
      error = e;
    }
    expect(isUniqueViolation(error)).toBe(true);
    repos.releases.createOrder(newOrder(otherEnvId), now);
    repos.releases.updateOrder(first, { state: 'COMPLETED', finishedAt: later }, later);
    const second = repos.releases.createOrder(newOrder(envId, 2), later);
    expect(repos.releases.ordersOf(envId, 0, 10).map((o) => o.id)).toEqual([second.id, first.id]);
    expect(repos.releases.lastCompletedOrderOf(envId)?.id).toBe(first.id);
    expect(repos.releases.activeOrders().map((o) => o.environmentId).sort()).toEqual([envId, otherEnvId].sort());
  });

  it('records transitions in order and failures once per instance until resolved', () => {
    const { repos, envId } = fresh();
    const order = repos.releases.createOrder(newOrder(envId), now);
    repos.releases.addTransition({ orderId: order.id, fromState: null, toState: 'DEPLOYING', actor: 'alice', reason: 'submitted', at: now });
    repos.releases.addTransition({ orderId: order.id, fromState: 'DEPLOYING', toState: 'FAILED', actor: 'cairn', reason: 'batch 1 failed', at: later });
    expect(repos.releases.transitionsOf([order.id]).map((t) => t.toState)).toEqual(['DEPLOYING', 'FAILED']);
    const failure = { orderId: order.id, batch: 0, direction: 'FORWARD' as const, instanceName: 'shop-1', reason: 'IMAGE_PULL', message: 'not found', firstSeenAt: now };
    repos.releases.addFailure(failure);
    repos.releases.addFailure({ ...failure, firstSeenAt: later });
    expect(repos.releases.openFailuresOf(order.id)).toHaveLength(1);
    expect(repos.releases.resolveFailures(order.id, later)).toBe(1);
    expect(repos.releases.openFailuresOf(order.id)).toHaveLength(0);
    repos.releases.addFailure({ ...failure, firstSeenAt: later });
    expect(repos.releases.failuresOf([order.id]).map((f) => f.resolvedAt)).toEqual([later, null]);
  });

  it('deleting the app removes its revisions and orders (foreign keys cascade)', () => {
    const { repos, envId, appId } = fresh();
    const order = repos.releases.createOrder(newOrder(envId), now);
    repos.releases.updateOrder(order, { state: 'CLOSED' }, now);
    expect(repos.apps.delete(appId)).toBe(true);
    expect(repos.releases.order(order.id)).toBeUndefined();
  });
});
