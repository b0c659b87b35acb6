/** cairn_release_orders: counted by one GROUP BY on the release_orders(state) index, at most once per ordersCacheMs. */
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { cachedFor, createEngineMetrics } from '../../src/observability/engine-metrics.js';
import { sample } from './release-cairn.js';

const opened: OpenDatabase[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
});

/** The SQLite connection of a database opened by openDatabase (always there on SQLite). */
function sqliteOf(database: OpenDatabase) {
  if (!database.sqlite) throw new Error('not a SQLite database');
  return database.sqlite;
}

/** A database with release orders in these states (foreign keys off: the orders alone matter here). */
function withOrders(states: string[]): OpenDatabase {
  const database = openDatabase(':memory:');
  opened.push(database);
  sqliteOf(database).pragma('foreign_keys = OFF');
  const insert = sqliteOf(database).prepare(
    "INSERT INTO release_orders (environment_id, kind, to_revision, plan, pause_mode, state, cursor, created_by, created_at, updated_at) VALUES (1, 'RELEASE', 1, '[1]', 'NONE', ?, '{}', 't', 0, 0)",
  );
  for (const state of states) insert.run(state);
  return database;
}

describe('orders by state', () => {
  it('are counted on the release_orders_state index (the table is not read)', () => {
    const database = withOrders([]);
    const plan = sqliteOf(database).prepare('EXPLAIN QUERY PLAN SELECT state, count(*) FROM release_orders GROUP BY state').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toContain('COVERING INDEX release_orders_state');
  });

  it('are counted once per ordersCacheMs: later scrapes answer the kept counts until it passed', async () => {
    const database = withOrders(['COMPLETED', 'COMPLETED', 'DEPLOYING']);
    let clock = 1_000;
    const registry = new Registry();
    createEngineMetrics(registry, { ordersCacheMs: 10_000, now: () => clock }).countOrdersIn(database);
    const count = async (state: string) => sample(await registry.metrics(), 'cairn_release_orders', { state });
    expect([await count('COMPLETED'), await count('DEPLOYING'), await count('PAUSED')]).toEqual([2, 1, 0]);

    sqliteOf(database).prepare("UPDATE release_orders SET state = 'COMPLETED' WHERE state = 'DEPLOYING'").run();
    clock += 9_999;
    expect([await count('COMPLETED'), await count('DEPLOYING')]).toEqual([2, 1]);
    clock += 1;
    expect([await count('COMPLETED'), await count('DEPLOYING')]).toEqual([3, 0]);
  });

  it('cachedFor shares a count in flight with the calls that meet it, and forgets one that failed', async () => {
    let runs = 0;
    let failing = true;
    const cached = cachedFor(100, () => 0, async () => {
      runs++;
      if (failing) throw new Error('the database is busy');
      return runs;
    });
    const [a, b] = [cached(), cached()];
    expect(a).toBe(b);
    await expect(a).rejects.toThrow('the database is busy');
    failing = false;
    expect([await cached(), await cached(), runs]).toEqual([2, 2, 2]);
  });

  it('cachedFor runs its count at most once per period', () => {
    let clock = 0;
    let runs = 0;
    const cached = cachedFor(100, () => clock, () => ++runs);
    expect([cached(), cached()]).toEqual([1, 1]);
    clock = 99;
    expect(cached()).toBe(1);
    clock = 100;
    expect([cached(), cached()]).toEqual([2, 2]);
  });
});
