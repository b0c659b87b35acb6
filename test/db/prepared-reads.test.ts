/**
 * The one-row reads every release pass and submission makes are prepared once: they answer what the
 * built queries answer, keep answering after writes, and on a repeat neither build SQL nor compile it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { OpenDatabase } from '../../src/db/client.js';
import { ACTIVE_STATES } from '../../src/db/release-tables.js';
import { setUp, submit } from '../engine/fake-kube.js';

const opened: OpenDatabase[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

describe('prepared one-row reads', () => {
  it('answer as the built queries do, and compile nothing on a repeat', () => {
    const { repos, envId } = setUp(opened);
    const database = opened[0]!;
    const order = submit(repos, envId);
    const environment = repos.apps.environmentsByIds([envId])[0]!;
    const reads = () => ({
      order: repos.releases.order(order.id),
      active: repos.releases.activeOrderOf(envId),
      revision: repos.releases.revision(envId, order.toRevision),
      environment: repos.apps.environment(envId),
      app: repos.apps.byId(environment.appId),
      config: repos.configs.byEnvironmentId(envId),
      lastCompleted: repos.releases.lastCompletedOrderOf(envId),
    });
    const first = reads();
    expect(first.order).toEqual(repos.releases.ordersByIds([order.id])[0]);
    expect(first.active?.id).toBe(order.id);
    expect(ACTIVE_STATES).toContain(first.active?.state);
    expect(first.revision).toEqual(repos.releases.revisionsByIds([first.revision!.id])[0]);
    expect(first.environment).toEqual(environment);
    expect(first.app).toEqual(repos.apps.byIds([environment.appId])[0]);
    expect(first.config).toEqual(repos.configs.byEnvironmentIds([envId])[0]);
    expect(first.lastCompleted).toBeUndefined();
    // Unknown keys: nothing, not an error.
    expect(repos.releases.order(9_999)).toBeUndefined();
    expect(repos.apps.environment(9_999)).toBeUndefined();
    expect(repos.apps.byId(9_999)).toBeUndefined();
    expect(repos.releases.revision(envId, 9_999)).toBeUndefined();

    // On a repeat drizzle builds no SQL for them (the statement cache alone would still rebuild each text) and SQLite compiles none.
    const dialect = (database.db as unknown as { dialect: { sqlToQuery: (...args: unknown[]) => unknown } }).dialect;
    const build = dialect.sqlToQuery.bind(dialect);
    let built = 0;
    dialect.sqlToQuery = (...args: unknown[]) => (built++, build(...args));
    const before = database.statements().prepared;
    try {
      expect(reads()).toEqual(first);
      // The one-row reads above are prepared; the control: a read that is not still builds its SQL.
      expect(built).toBe(0);
      repos.releases.ordersByIds([order.id]);
      expect(built).toBe(1);
    } finally {
      dialect.sqlToQuery = build;
    }
    expect(database.statements().prepared).toBe(before);

    // After a write the same prepared reads see it.
    repos.transaction(() => repos.releases.updateOrder(first.order!, { state: 'COMPLETED', finishedAt: new Date() }, new Date()));
    expect(repos.releases.order(order.id)?.state).toBe('COMPLETED');
    expect(repos.releases.activeOrderOf(envId)).toBeUndefined();
    expect(repos.releases.lastCompletedOrderOf(envId)?.id).toBe(order.id);
  });
});
