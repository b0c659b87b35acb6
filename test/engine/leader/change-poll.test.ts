/**
 * The leader hears of orders another process wrote: SQLite's data_version (`database.changeCounter`) moves only on
 * another connection's commit. The orders here are a stand-in table (id, version, active) read through the
 * leader's Database, as `repos.releases.activeOrders()` reads release_orders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import type { Database } from '../../../src/db/database.js';
import { createChangePoll } from '../../../src/engine/leader/change-poll.js';

const opened: Database[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** One file opened by two processes' Databases: the leader's and a follower's. */
function twoProcesses() {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-poll-'));
  dirs.push(dir);
  const path = join(dir, 'cairn.db');
  const leader = openDatabase(path);
  leader.sqlite!.exec('CREATE TABLE orders (id integer PRIMARY KEY, version integer NOT NULL, active integer NOT NULL)');
  const follower = openDatabase(path);
  opened.push(leader, follower);
  return { leader, follower };
}

const put = (database: Database, id: number, version: number, active = true) =>
  database.write(async (db) => db.run(sql`INSERT INTO orders (id, version, active) VALUES (${id}, ${version}, ${active ? 1 : 0}) ON CONFLICT (id) DO UPDATE SET version = excluded.version, active = excluded.active`));
const activeOrders = (database: Database) => database.read(async (db) => db.all<{ id: number; version: number }>(sql`SELECT id, version FROM orders WHERE active = 1 ORDER BY id`));

describe('change poll', () => {
  it("wakes the orders a follower's connection changed, and nothing for the leader's own writes", async () => {
    const { leader, follower } = twoProcesses();
    const woken: number[] = [];
    const poll = createChangePoll({
      changes: () => leader.changeCounter!(),
      activeOrders: () => activeOrders(leader),
      wake: (id) => woken.push(id),
      intervalMs: 60_000, // polled by hand below
    });
    poll.start();
    expect(await poll.poll()).toEqual([]);
    // The leader's own write: the counter does not move.
    await put(leader, 1, 1);
    expect(await poll.poll()).toEqual([]);
    // A follower's write that ends the leader's order (a user action on another replica): no longer active, nothing to wake.
    await put(follower, 1, 2, false);
    expect(await poll.poll()).toEqual([]);
    await put(follower, 2, 1); // submitted on the follower
    expect(await poll.poll()).toEqual([2]);
    expect(await poll.poll()).toEqual([]); // nothing new since
    // A follower's write to an order already known, and a new one, in one transaction.
    await follower.transaction(async () => {
      await put(follower, 2, 2);
      await put(follower, 3, 1);
    });
    expect(await poll.poll()).toEqual([2, 3]);
    // The leader's own write to a known order moves its version but not the counter: not woken (the engine wrote it).
    await put(leader, 3, 2);
    expect(await poll.poll()).toEqual([]);
    expect(woken).toEqual([2, 2, 3]);
    poll.stop();
  });

  it('the timer looks every interval and wakes a follower-written order by itself; a failed look is reported and the next one tries again', async () => {
    const { leader, follower } = twoProcesses();
    const errors: unknown[] = [];
    let failNext = false;
    const woken: number[] = [];
    let heard = () => {};
    const wokenByTimer = new Promise<void>((done) => (heard = done));
    const poll = createChangePoll({
      changes: () => leader.changeCounter!(),
      activeOrders: () => (failNext ? ((failNext = false), Promise.reject(new Error('busy'))) : activeOrders(leader)),
      wake: (id) => (woken.push(id), heard()),
      intervalMs: 10,
      onError: (error) => errors.push(error),
    });
    poll.start();
    await poll.poll(); // after the first look (which only remembers)
    failNext = true;
    await put(follower, 7, 1);
    await wokenByTimer;
    poll.stop();
    expect(errors).toEqual([new Error('busy')]);
    expect(woken).toEqual([7]);
  });
});
