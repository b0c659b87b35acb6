import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import type { OrderStateName } from '../../src/db/release-tables.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';

const opened: OpenDatabase[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

const at = (minute: number) => new Date(Date.UTC(2026, 10, 25, 16, minute));
const settings = presetSettings('NGINX');

/** Three apps (six environments); `orders[i]` lists the states of environment i's orders, oldest first. */
function fresh(orders: OrderStateName[][] = []) {
  const database = openDatabase(':memory:');
  opened.push(database);
  const repos = createRepositories(database.db, { cipher: createCipher(randomKey()) });
  const envs: number[] = [];
  const appIds: number[] = [];
  for (const name of ['a', 'b', 'c']) {
    const env = (kind: 'PRODUCTION' | 'TEST', cluster: string) => ({ kind, cluster, namespace: `cairn-${name}`, imageTag: '1', settings });
    const app = repos.apps.create({ name, businessType: 'ERP', description: '', appType: 'STATELESS', deployMethod: 'CONTAINER', environments: [env('PRODUCTION', 'x'), env('TEST', 'y')] }, at(0));
    appIds.push(app.id);
    envs.push(...repos.apps.environmentsOfApps([app.id]).map((e) => e.id));
  }
  orders.forEach((states, i) => {
    const environmentId = envs[i]!;
    states.forEach((state, n) => {
      const revision = repos.releases.createRevision({ environmentId, image: `nginx:${n + 1}`, imageTag: String(n + 1), settings, createdBy: 't' }, at(n));
      const order = repos.releases.createOrder(
        { environmentId, kind: 'RELEASE', fromRevision: n || null, toRevision: revision.number, plan: [1], pauseMode: 'NONE', state, direction: 'FORWARD', cursor: freshCursor(at(n)), description: '', createdBy: 't' },
        at(n),
      );
      // Finished out of order on purpose: the second order finishes after the third.
      if (!['DEPLOYING', 'PAUSED', 'FAILED', 'ROLLING_BACK'].includes(state)) repos.releases.updateOrder(order, { finishedAt: at(n === 1 ? 30 : 10 + n) }, at(n));
    });
  });
  return { repos, envs, appIds, database };
}

const ids = (rows: { id: number }[]) => rows.map((r) => r.id);

describe('batch reads', () => {
  it('pages every environment\'s orders and revisions in one statement, as the one-environment reads page them', () => {
    const { repos, envs, database } = fresh([['COMPLETED', 'COMPLETED', 'COMPLETED', 'DEPLOYING'], ['COMPLETED'], [], ['COMPLETED', 'CLOSED']]);
    for (const [offset, limit] of [[0, 1], [0, 3], [1, 2], [3, 5], [9, 2]] as const) {
      const before = database.statements().executed;
      const orders = repos.releases.ordersPages(envs, offset, limit);
      const revisions = repos.releases.revisionsPages(envs, offset, limit);
      expect(database.statements().executed - before).toBe(2);
      for (const env of envs) {
        expect(ids(orders.filter((o) => o.environmentId === env))).toEqual(ids(repos.releases.ordersOf(env, offset, limit)));
        expect(ids(revisions.filter((r) => r.environmentId === env))).toEqual(ids(repos.releases.revisionsOf(env, offset, limit)));
      }
    }
    expect(repos.releases.countOrdersOf(envs)).toEqual(new Map([[envs[0], 4], [envs[1], 1], [envs[3], 2]]));
    expect(repos.releases.countRevisionsOf(envs)).toEqual(new Map([[envs[0], 4], [envs[1], 1], [envs[3], 2]]));
  });

  it('finds each environment\'s last completed or rolled-back order and its order in progress as the one-environment reads do', () => {
    const { repos, envs } = fresh([['COMPLETED', 'COMPLETED', 'ROLLED_BACK', 'FAILED'], ['CLOSED'], ['COMPLETED', 'ROLLED_BACK'], [], ['DEPLOYING']]);
    const last = repos.releases.lastCompletedOrdersOf(envs);
    const active = repos.releases.activeOrdersOf(envs);
    for (const env of envs) {
      expect(last.filter((o) => o.environmentId === env)).toEqual([repos.releases.lastCompletedOrderOf(env)].filter(Boolean));
      expect(active.filter((o) => o.environmentId === env)).toEqual([repos.releases.activeOrderOf(env)].filter(Boolean));
    }
    // The second order finished last (see fresh): it is the one that counts, not the newest.
    expect(last.find((o) => o.environmentId === envs[0])?.toRevision).toBe(2);
  });

  it('reads revisions by environment and number, only those that exist', () => {
    const { repos, envs } = fresh([['COMPLETED', 'COMPLETED'], ['COMPLETED']]);
    const found = repos.releases.revisionsByKeys([
      { environmentId: envs[0]!, number: 2 },
      { environmentId: envs[1]!, number: 1 },
      { environmentId: envs[1]!, number: 2 },
      { environmentId: envs[2]!, number: 1 },
    ]);
    expect(found.map((r) => [r.environmentId, r.number, r.settings.instances]).sort()).toEqual([
      [envs[0], 2, settings.instances],
      [envs[1], 1, settings.instances],
    ]);
  });

  it('reads the members of several apps, by app then token', () => {
    const { repos, appIds } = fresh();
    const token = (name: string, grants: { appId: number; role: 'VIEWER' | 'OWNER' }[]) =>
      repos.tokens.create({ name, secretHash: name, prefix: name, admin: false, createdBy: 't', expiresAt: null, grants }, at(0)).id;
    const t1 = token('one', [{ appId: appIds[2]!, role: 'OWNER' }, { appId: appIds[0]!, role: 'VIEWER' }]);
    const t2 = token('two', [{ appId: appIds[0]!, role: 'OWNER' }]);
    expect(repos.tokens.membersOfApps(appIds).map((m) => [m.appId, m.tokenId, m.role])).toEqual([
      [appIds[0], t1, 'VIEWER'],
      [appIds[0], t2, 'OWNER'],
      [appIds[2], t1, 'OWNER'],
    ]);
  });

  it('takes more IDs than SQLite binds variables, in one statement of one text', () => {
    const { repos, envs, database } = fresh();
    const many = [...envs, ...Array.from({ length: 40_000 }, (_, i) => 1_000_000 + i)];
    const before = database.statements();
    expect(repos.apps.environmentsByIds(many).map((e) => e.id)).toEqual(envs);
    expect(repos.apps.environmentsByIds(envs.slice(0, 2)).map((e) => e.id)).toEqual(envs.slice(0, 2));
    const after = database.statements();
    expect(after.executed - before.executed).toBe(2);
    expect(after.prepared - before.prepared).toBeLessThanOrEqual(1);
  });
});
