/**
 * The one-row reads every release pass and submission makes (an order, the active order, a revision, an
 * environment, an app, a draft, the last completed order): they answer what the batch reads answer, keep answering
 * after writes, give nothing for unknown keys, and on SQLite a repeat compiles no statement (the statement cache).
 */
import { expect, it } from 'vitest';
import { ACTIVE_STATES } from '../../src/db/release-tables.js';
import { createRepositories } from '../../src/db/repositories.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { describeEachDatabase } from './each-database.js';

const now = new Date('2026-11-25T18:00:00Z');

describeEachDatabase('one-row reads', (target) => {
  it('answer as the batch reads do, compile nothing on a repeat, and see the writes made since', async () => {
    const database = await target.open();
    const repos = createRepositories(database, { cipher: createCipher(randomKey()) });
    const settings = presetSettings('NGINX');
    const app = await repos.apps.create(
      { name: 'shop', businessType: 'ERP', description: '', appType: 'STATELESS', deployMethod: 'CONTAINER', environments: [{ kind: 'TEST', cluster: 'a', namespace: 'cairn-shop', imageTag: '1.25', settings }] },
      now,
    );
    const envId = (await repos.apps.environmentsOfApps([app.id]))[0]!.id;
    const revision = await repos.releases.createRevision({ environmentId: envId, image: 'nginx:1.25', imageTag: '1.25', settings, createdBy: 't' }, now);
    const order = await repos.releases.createOrder(
      { environmentId: envId, kind: 'RELEASE', fromRevision: null, toRevision: revision.number, plan: [1], pauseMode: 'NONE', state: 'DEPLOYING', direction: 'FORWARD', cursor: freshCursor(now), description: '', createdBy: 't' },
      now,
    );
    const environment = (await repos.apps.environmentsByIds([envId]))[0]!;
    const reads = async () => ({
      order: await repos.releases.order(order.id),
      active: await repos.releases.activeOrderOf(envId),
      revision: await repos.releases.revision(envId, order.toRevision),
      environment: await repos.apps.environment(envId),
      app: await repos.apps.byId(environment.appId),
      config: await repos.configs.byEnvironmentId(envId),
      lastCompleted: await repos.releases.lastCompletedOrderOf(envId),
    });
    const first = await reads();
    expect(first.order).toEqual(order);
    expect(first.order).toEqual((await repos.releases.ordersByIds([order.id]))[0]);
    expect(first.active?.id).toBe(order.id);
    expect(ACTIVE_STATES).toContain(first.active?.state);
    expect(first.revision).toEqual(revision);
    expect(first.revision).toEqual((await repos.releases.revisionsByIds([revision.id]))[0]);
    expect(first.environment).toEqual(environment);
    expect(first.app).toEqual(app);
    expect(first.app).toEqual((await repos.apps.byIds([environment.appId]))[0]);
    expect(first.config).toEqual((await repos.configs.byEnvironmentIds([envId]))[0]);
    expect(first.lastCompleted).toBeUndefined();
    // Unknown keys: nothing, not an error.
    expect(await repos.releases.order(9_999)).toBeUndefined();
    expect(await repos.apps.environment(9_999)).toBeUndefined();
    expect(await repos.apps.byId(9_999)).toBeUndefined();
    expect(await repos.releases.revision(envId, 9_999)).toBeUndefined();
    expect(await repos.configs.byEnvironmentId(9_999)).toBeUndefined();

    // A repeat compiles no statement on SQLite (each SQL text is compiled once); PostgreSQL compiles none here.
    const before = database.statements().prepared;
    expect(await reads()).toEqual(first);
    expect(database.statements().prepared).toBe(before);

    // After a write the same reads see it.
    const finished = new Date('2026-11-25T18:05:00Z');
    await repos.transaction(() => repos.releases.updateOrder(first.order!, { state: 'COMPLETED', finishedAt: finished }, finished));
    expect(await repos.releases.order(order.id)).toMatchObject({ state: 'COMPLETED', finishedAt: finished, version: 2 });
    expect(await repos.releases.activeOrderOf(envId)).toBeUndefined();
    expect((await repos.releases.lastCompletedOrderOf(envId))?.id).toBe(order.id);
  });
});
