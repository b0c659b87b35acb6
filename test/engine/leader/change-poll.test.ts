/** The leader hears of orders another process wrote: SQLite's data_version moves only on another connection's commit. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../../src/db/client.js';
import { createRepositories } from '../../../src/db/repositories.js';
import { applyEvent } from '../../../src/engine/apply.js';
import { createChangePoll } from '../../../src/engine/leader/change-poll.js';
import { createCipher, randomKey } from '../../../src/secrets/cipher.js';
import { setUp, submit } from '../fake-kube.js';

const opened: OpenDatabase[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('change poll', () => {
  it("wakes the orders a follower's connection changed, and nothing for the leader's own writes", () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-poll-'));
    dirs.push(dir);
    const path = join(dir, 'cairn.db');
    const { repos: leader, envId } = setUp(opened, path);
    const leaderDb = opened.at(-1)!;
    const followerDb = openDatabase(path);
    opened.push(followerDb);
    const follower = createRepositories(followerDb.db, { cipher: createCipher(randomKey()) });
    const woken: number[] = [];
    const poll = createChangePoll({
      changes: () => leaderDb.sqlite.pragma('data_version', { simple: true }) as number,
      activeOrders: () => leader.releases.activeOrders(),
      wake: (id) => woken.push(id),
      intervalMs: 60_000, // polled by hand below
    });
    poll.start();
    expect(poll.poll()).toEqual([]);
    // The leader's own write: the counter does not move.
    const own = submit(leader, envId, 'FIRST_BATCH');
    expect(poll.poll()).toEqual([]);
    // A follower's write (a close of the leader's order: a user action on another replica): woken.
    follower.transaction(() => applyEvent(follower, own.id, { type: 'CLOSE', reason: 'no' }, 'bob', new Date()));
    expect(poll.poll()).toEqual([]); // closed: no longer active, nothing to wake
    const next = submit(follower, envId, 'FIRST_BATCH'); // submitted on the follower
    expect(poll.poll()).toEqual([next.id]);
    expect(poll.poll()).toEqual([]); // nothing new since
    follower.transaction(() => applyEvent(follower, next.id, { type: 'CLOSE', reason: 'again' }, 'bob', new Date()));
    const third = submit(follower, envId, 'NONE');
    expect(poll.poll()).toEqual([third.id]);
    expect(woken).toEqual([next.id, third.id]);
    poll.stop();
  });
});
