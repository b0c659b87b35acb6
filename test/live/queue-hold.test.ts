/**
 * A hub queue that the fan-out holds for a parked member (src/live/queue.ts), and how the fan-out learns a
 * member's queue (src/live/queue-capture.ts).
 */
import { expect, it } from 'vitest';
import { capturingQueues, noteQueue } from '../../src/live/queue-capture.js';
import { createQueue, type HoldableQueue } from '../../src/live/queue.js';

it('a held queue keeps pushes for its holder, in order, and gives reads back on release', async () => {
  const q = createQueue<number>(() => {});
  const read = q.next();
  expect(q.hold(() => {})).toBe(true);
  q.push(1);
  q.push(2);
  expect(q.size).toBe(2);
  expect(q.peek()).toBe(1);
  expect(q.shift()).toBe(1);
  let settled = false;
  void read.then(() => (settled = true));
  await Promise.resolve();
  expect(settled).toBe(false); // the waiting read was not handed a held value
  q.release();
  expect(await read).toEqual({ done: false, value: 2 });
  q.push(3);
  expect(await q.next()).toEqual({ done: false, value: 3 });
});

it('the holder is told once when what it holds is lost: cleared (a BUFFER_EXCEEDED cut), failed or closed; an ended queue is not held', async () => {
  const lost: string[] = [];
  const cleared = createQueue<number>(() => {});
  cleared.hold(() => lost.push('cleared'));
  cleared.push(1);
  cleared.clear();
  cleared.clear();
  expect(cleared.held).toBe(false);

  const failed = createQueue<number>(() => {});
  failed.hold(() => lost.push('failed'));
  failed.fail(new Error('gone'));

  const closed = createQueue<number>(() => {});
  closed.hold(() => lost.push('closed'));
  await closed.return!();
  expect(lost).toEqual(['cleared', 'failed', 'closed']);
  expect(closed.hold(() => lost.push('again'))).toBe(false);
  expect(lost).toHaveLength(3);
});

it('a capture gives the queues its flow created, and none created once it returned', async () => {
  const made: Array<HoldableQueue<unknown>> = [];
  const make = () => {
    const q = createQueue<unknown>(() => {});
    noteQueue(q);
    made.push(q);
    return q;
  };
  let laterDone!: () => void;
  const later = new Promise<void>((r) => (laterDone = r));
  const { value, queues } = await capturingQueues(async () => {
    await Promise.resolve();
    const q = make();
    // Goes on in the flow's context after it returned (as a stream's source does).
    setTimeout(() => {
      make();
      laterDone();
    }, 1);
    return q;
  });
  expect(queues).toEqual([value]);
  await later;
  expect(made).toHaveLength(2);
  expect(queues).toHaveLength(1);
  make(); // outside any capture
  expect(queues).toHaveLength(1);
});
