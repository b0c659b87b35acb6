/**
 * The release engine on PostgreSQL only: what a pool of connections brings (submits racing on separate connections,
 * SERIALIZABLE retries) and the orders gauge's query on PostgreSQL. The engine's other tests (reconciler, refusals,
 * prune) run on SQLite and PostgreSQL alike through describeEachDatabase.
 */
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { ActiveReleaseOrderError } from '../../src/engine/errors.js';
import { createEngineMetrics } from '../../src/observability/engine-metrics.js';
import { describeEachDatabase } from '../db/each-database.js';
import { sample } from '../observability/release-cairn.js';
import { setUp, submit } from './fake-kube.js';

describeEachDatabase(
  'the release engine',
  (target) => {
    it('two submits racing for one environment: one order, the other refused with ActiveReleaseOrderError (nothing half-written)', async () => {
      const { repos, envId } = await setUp(target);
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

    it('cairn_release_orders counts the orders by state', async () => {
      const { repos, envId, database } = await setUp(target);
      const first = await submit(repos, envId);
      await repos.releases.updateOrder(first, { state: 'COMPLETED', finishedAt: new Date() }, new Date());
      await submit(repos, envId);
      const registry = new Registry();
      createEngineMetrics(registry, { ordersCacheMs: 0 }).countOrdersIn(database);
      const text = await registry.metrics();
      expect([
        sample(text, 'cairn_release_orders', { state: 'COMPLETED' }),
        sample(text, 'cairn_release_orders', { state: 'DEPLOYING' }),
        sample(text, 'cairn_release_orders', { state: 'PAUSED' }),
      ]).toEqual([1, 1, 0]);
    });
  },
  ['postgres'],
);
