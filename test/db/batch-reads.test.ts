import { expect, it } from 'vitest';
import { createRepositories } from '../../src/db/repositories.js';
import type { OrderStateName } from '../../src/db/release-tables.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { describeEachDatabase } from './each-database.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 16, minute));
const settings = presetSettings('NGINX');
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

describeEachDatabase('batch reads', (target) => {
  /** Three apps (six environments); `orders[i]` lists the states of environment i's orders, oldest first. */
  async function fresh(orders: OrderStateName[][] = []) {
    const database = await target.open();
    const repos = createRepositories(database, { cipher: createCipher(randomKey()) });
    const envs: number[] = [];
    const appIds: number[] = [];
    for (const name of ['a', 'b', 'c']) {
      const env = (kind: 'PRODUCTION' | 'TEST', cluster: string) => ({ kind, cluster, namespace: `cairn-${name}`, imageTag: '1', settings });
      const app = await repos.apps.create({ name, businessType: 'ERP', description: '', appType: 'STATELESS', deployMethod: 'CONTAINER', environments: [env('PRODUCTION', 'x'), env('TEST', 'y')] }, at(0));
      appIds.push(app.id);
      envs.push(...(await repos.apps.environmentsOfApps([app.id])).map((e) => e.id));
    }
    for (const [i, states] of orders.entries()) {
      const environmentId = envs[i]!;
      for (const [n, state] of states.entries()) {
        const revision = await repos.releases.createRevision({ environmentId, image: `nginx:${n + 1}`, imageTag: String(n + 1), settings, createdBy: 't' }, at(n));
        const order = await repos.releases.createOrder(
          { environmentId, kind: 'RELEASE', fromRevision: n || null, toRevision: revision.number, plan: [1], pauseMode: 'NONE', state, direction: 'FORWARD', cursor: freshCursor(at(n)), description: '', createdBy: 't' },
          at(n),
        );
        // Finished out of order on purpose: the second order finishes after the third.
        if (!['DEPLOYING', 'PAUSED', 'FAILED', 'ROLLING_BACK'].includes(state)) await repos.releases.updateOrder(order, { finishedAt: at(n === 1 ? 30 : 10 + n) }, at(n));
      }
    }
    return { repos, envs, appIds, database };
  }

  it('pages every environment\'s orders and revisions in one statement, as the one-environment reads page them', async () => {
    const { repos, envs, database } = await fresh([['COMPLETED', 'COMPLETED', 'COMPLETED', 'DEPLOYING'], ['COMPLETED'], [], ['COMPLETED', 'CLOSED']]);
    for (const [offset, limit] of [[0, 1], [0, 3], [1, 2], [3, 5], [9, 2]] as const) {
      const before = database.statements().executed;
      const orders = await repos.releases.ordersPages(envs, offset, limit);
      const revisions = await repos.releases.revisionsPages(envs, offset, limit);
      expect(database.statements().executed - before).toBe(2);
      for (const env of envs) {
        expect(ids(orders.filter((o) => o.environmentId === env))).toEqual(ids(await repos.releases.ordersOf(env, offset, limit)));
        expect(ids(revisions.filter((r) => r.environmentId === env))).toEqual(ids(await repos.releases.revisionsOf(env, offset, limit)));
      }
      // By environment, then newest first.
      expect(orders.map((o) => [o.environmentId, -o.id])).toEqual(orders.map((o) => [o.environmentId, -o.id]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!));
    }
    // The whole first page of the first environment, its values as written.
    const [newest] = await repos.releases.ordersPages([envs[0]!], 0, 1);
    expect(newest).toMatchObject({ environmentId: envs[0], state: 'DEPLOYING', toRevision: 4, plan: [1], createdAt: at(3), finishedAt: null });
    const counts = await repos.releases.countOrdersOf(envs);
    expect(counts).toEqual(new Map([[envs[0], 4], [envs[1], 1], [envs[3], 2]]));
    expect([...counts.values()].every((n) => typeof n === 'number')).toBe(true);
    expect(await repos.releases.countRevisionsOf(envs)).toEqual(new Map([[envs[0], 4], [envs[1], 1], [envs[3], 2]]));
  });

  it('finds each environment\'s last completed or rolled-back order and its order in progress as the one-environment reads do', async () => {
    const { repos, envs } = await fresh([['COMPLETED', 'COMPLETED', 'ROLLED_BACK', 'FAILED'], ['CLOSED'], ['COMPLETED', 'ROLLED_BACK'], [], ['DEPLOYING']]);
    const last = await repos.releases.lastCompletedOrdersOf(envs);
    const active = await repos.releases.activeOrdersOf(envs);
    for (const env of envs) {
      expect(last.filter((o) => o.environmentId === env)).toEqual([await repos.releases.lastCompletedOrderOf(env)].filter(Boolean));
      expect(active.filter((o) => o.environmentId === env)).toEqual([await repos.releases.activeOrderOf(env)].filter(Boolean));
    }
    // The second order finished last (see fresh): it is the one that counts, not the newest.
    expect(last.find((o) => o.environmentId === envs[0])?.toRevision).toBe(2);
    expect(last.find((o) => o.environmentId === envs[0])?.finishedAt).toEqual(at(30));
    expect(active.map((o) => o.environmentId).sort((a, b) => a - b)).toEqual([envs[0], envs[4]]);
  });

  it('reads revisions by environment and number, only those that exist', async () => {
    const { repos, envs } = await fresh([['COMPLETED', 'COMPLETED'], ['COMPLETED']]);
    const found = await repos.releases.revisionsByKeys([
      { environmentId: envs[0]!, number: 2 },
      { environmentId: envs[1]!, number: 1 },
      { environmentId: envs[1]!, number: 2 },
      { environmentId: envs[2]!, number: 1 },
    ]);
    expect(found.map((r) => [r.environmentId, r.number, r.settings.instances]).sort()).toEqual([
      [envs[0], 2, settings.instances],
      [envs[1], 1, settings.instances],
    ]);
    expect(await repos.releases.revisionsByKeys([])).toEqual([]);
  });

  it('reads the members of several apps, by app then token', async () => {
    const { repos, appIds } = await fresh();
    const token = async (name: string, grants: { appId: number; role: 'VIEWER' | 'OWNER' }[]) =>
      (await repos.tokens.create({ name, secretHash: name, prefix: name, admin: false, createdBy: 't', expiresAt: null, grants }, at(0))).id;
    const t1 = await token('one', [{ appId: appIds[2]!, role: 'OWNER' }, { appId: appIds[0]!, role: 'VIEWER' }]);
    const t2 = await token('two', [{ appId: appIds[0]!, role: 'OWNER' }]);
    expect((await repos.tokens.membersOfApps(appIds)).map((m) => [m.appId, m.tokenId, m.role])).toEqual([
      [appIds[0], t1, 'VIEWER'],
      [appIds[0], t2, 'OWNER'],
      [appIds[2], t1, 'OWNER'],
    ]);
    expect((await repos.tokens.grantsOfTokens([t2, t1])).map((m) => [m.tokenId, m.appId])).toEqual([
      [t1, appIds[0]],
      [t1, appIds[2]],
      [t2, appIds[0]],
    ]);
  });

  it('takes more IDs than SQLite binds variables, in one statement of one text', async () => {
    const { repos, envs, database } = await fresh();
    const many = [...envs, ...Array.from({ length: 40_000 }, (_, i) => 1_000_000 + i)];
    const before = database.statements();
    expect((await repos.apps.environmentsByIds(many)).map((e) => e.id).sort((a, b) => a - b)).toEqual(envs);
    expect((await repos.apps.environmentsByIds(envs.slice(0, 2))).map((e) => e.id).sort((a, b) => a - b)).toEqual(envs.slice(0, 2));
    const after = database.statements();
    expect(after.executed - before.executed).toBe(2);
    expect(after.prepared - before.prepared).toBeLessThanOrEqual(1);
  });
});
