/**
 * releaseOrderFeed's cursors across replicas (src/schema/order-feed-cursor.ts): each names the order's version (a
 * database value) beside the hub's per-process position, so that a client that reconnects to another replica
 * resumes from a snapshot without a BUFFER_EXCEEDED marker when nothing of the order was lost, and exactly from the
 * hub on the replica that gave the cursor.
 */
import { describe, expect, it } from 'vitest';
import { createHub } from '../../src/live/hub.js';
import { createEpochMemory, feedCursor, MAX_CURSOR_LENGTH, parseFeedCursor, resumeAfter } from '../../src/schema/order-feed-cursor.js';

describe('feed cursors', () => {
  it('carry the order version beside the hub cursor, and read back', () => {
    const c = feedCursor(7, 'Ab_-9:42');
    expect(c).toBe('v7~Ab_-9:42');
    expect(parseFeedCursor(c)).toEqual({ version: 7, hub: 'Ab_-9:42', epoch: 'Ab_-9' });
    // The hub's position stays the last `:`-separated number (what clients and tests read as the sequence).
    expect(Number(c.split(':').pop())).toBe(42);
  });

  it('refuse what is not one of them, and anything too long', () => {
    for (const bad of ['Ab:42', 'v~Ab:1', 'v1~:1', 'v1~Ab', 'v1~A b:1', `v1~${'a'.repeat(MAX_CURSOR_LENGTH)}:1`]) expect(parseFeedCursor(bad)).toBeNull();
  });

  it('the epoch memory keeps the most recent epochs only', () => {
    const memory = createEpochMemory(2);
    memory.remember('a:1');
    memory.remember('a:2');
    memory.remember('b:1');
    memory.remember('c:1');
    expect([memory.knows('a'), memory.knows('b'), memory.knows('c')]).toEqual([false, true, true]);
  });
});

describe('resuming', () => {
  const here = (epoch: string) => epoch === 'mine';
  it('a cursor of this process resumes in the hub, from the version it names', () => {
    expect(resumeAfter('v3~mine:10', 5, here)).toEqual({ after: 'mine:10', version: 3 });
  });
  it('a cursor of another replica resumes with a snapshot (no marker) when the order reached its version', () => {
    expect(resumeAfter('v3~theirs:10', 3, here)).toEqual({ after: null, version: 0 });
    expect(resumeAfter('v3~theirs:10', 9, here)).toEqual({ after: null, version: 0 });
  });
  it('a version the order never had, an old-style cursor or garbage goes to the hub as it is: BUFFER_EXCEEDED and a snapshot', () => {
    expect(resumeAfter('v12~theirs:10', 9, here)).toEqual({ after: 'v12~theirs:10', version: 0 });
    expect(resumeAfter('theirs:10', 9, here)).toEqual({ after: 'theirs:10', version: 0 });
    expect(resumeAfter(null, 9, here)).toEqual({ after: null, version: 0 });
  });

  it('two replicas’ hubs: a cursor of one, given to the other, gets a snapshot and no marker; given back to the first, exactly what was missed', async () => {
    const replicas = [createHub({ lingerMs: 60_000 }), createHub({ lingerMs: 60_000 })];
    const memories = [createEpochMemory(), createEpochMemory()];
    let orderVersion = 1;
    const publishers: Array<(event: number) => void> = [];
    const source = (i: number) => () => ({
      start(publish: (event: number) => void) {
        publishers[i] = publish;
        return { ready: Promise.resolve(), stop() {} };
      },
      snapshot: () => ({ version: orderVersion }),
    });
    /** Subscribes on replica i as the feed does, and returns its deliveries' feed cursors. */
    const follow = (i: number, after?: string) => {
      const resume = resumeAfter(after, orderVersion, memories[i]!.knows);
      const it = replicas[i]!.subscribe('order:1', source(i), { after: resume.after });
      return {
        async next() {
          const d = (await it.next()).value!;
          const version = d.type === 'snapshot' ? d.snapshot.version : d.type === 'event' ? d.event : 0;
          memories[i]!.remember(d.cursor);
          return { type: d.type, cursor: feedCursor(version, d.cursor) };
        },
        close: () => void it.return?.(),
      };
    };
    const onA = follow(0);
    expect((await onA.next()).type).toBe('snapshot');
    const onB = follow(1);
    await onB.next(); // replica B's stream runs too (its informers, its own numbering)
    orderVersion = 2;
    publishers[0]!(2);
    publishers[1]!(2);
    const seen = await onA.next();
    expect(seen).toMatchObject({ type: 'event', cursor: expect.stringMatching(/^v2~/) });
    onA.close();

    orderVersion = 3;
    publishers[0]!(3);
    publishers[1]!(3);
    // To the other replica: a snapshot, no BUFFER_EXCEEDED (the order's version is in the database).
    const elsewhere = follow(1, seen.cursor);
    expect(await elsewhere.next()).toMatchObject({ type: 'snapshot', cursor: expect.stringMatching(/^v3~/) });
    elsewhere.close();
    // Back to the first: exactly what it missed.
    const back = follow(0, seen.cursor);
    expect(await back.next()).toMatchObject({ type: 'event', cursor: expect.stringMatching(/^v3~/) });
    back.close();
    onB.close();
    for (const hub of replicas) hub.stop();
  });
});
