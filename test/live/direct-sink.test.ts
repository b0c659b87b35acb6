/**
 * A grouped member over graphql-ws: shared results go straight to the socket as a precomputed frame
 * around the group's bytes; its own results (snapshot, markers, errors) go through the transport's
 * iterator, and nothing is written past one of them until the transport has sent it.
 */
import { EventEmitter } from 'node:events';
import type { ExecutionResult } from 'graphql';
import { expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { DirectSink } from '../../src/live/fanout/direct-sink.js';
import { pumpMember } from '../../src/live/fanout/member-pump.js';
import { share } from '../../src/live/fanout/shared-result.js';
import { createQueue } from '../../src/live/queue.js';
import { DIRECT_HIGH_WATER_BYTES, directSink } from '../../src/server/ws-raw-send.js';

function fakeSocket() {
  return Object.assign(new EventEmitter(), {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    sent: [] as Buffer[],
    callbacks: [] as Array<() => void>,
    send(data: Buffer, options: { binary?: boolean }, cb?: () => void) {
      // graphql-ws speaks text frames.
      expect(options.binary).toBe(false);
      this.sent.push(data);
      if (cb) this.callbacks.push(cb);
    },
  });
}

it('writes a graphql-ws next frame around the shared bytes, one buffer for every member with that id; past the high-water mark it waits for the write', async () => {
  const a = fakeSocket();
  const b = fakeSocket();
  const bytes = '{"data":{"clusterUpdates":{"name":"alpha"}}}';
  expect(directSink(a as unknown as WebSocket, '0').send(bytes)).toBeNull();
  expect(directSink(b as unknown as WebSocket, '0').send(bytes)).toBeNull();
  expect(JSON.parse(a.sent[0]!.toString())).toEqual({ id: '0', type: 'next', payload: JSON.parse(bytes) });
  expect(b.sent[0]).toBe(a.sent[0]);

  b.bufferedAmount = DIRECT_HIGH_WATER_BYTES;
  const wait = directSink(b as unknown as WebSocket, '1').send(bytes);
  expect(wait).toBeInstanceOf(Promise);
  expect(JSON.parse(b.sent[1]!.toString()).id).toBe('1');
  let written = false;
  void wait!.then(() => (written = true));
  await Promise.resolve();
  expect(written).toBe(false);
  b.callbacks[0]!();
  await wait;
});

/** A sink that records what it got. */
function recordingSink(): DirectSink & { got: string[] } {
  const got: string[] = [];
  return { got, open: true, send: (s) => (got.push(s), null) };
}

const own = (n: number): ExecutionResult => ({ data: { own: n } });
const shared = (n: number): ExecutionResult => share({ data: { shared: n } });

it('keeps order: shared results are written directly, its own ones go through the iterator, and nothing passes one before it was sent', async () => {
  let ended = 0;
  const source = createQueue<ExecutionResult>(() => {});
  const sink = recordingSink();
  const member = pumpMember(source, sink, { resultOf: (r) => r as ExecutionResult, onEnd: () => void ended++, onDirect: () => {} });
  source.push(own(1));
  source.push(shared(2));
  source.push(own(3));
  source.push(shared(4));

  // The transport reads the first of its own; the shared one behind it waits until the transport reads again.
  expect((await member.next()).value).toEqual(own(1));
  await new Promise((r) => setImmediate(r));
  expect(sink.got).toEqual([]);
  const third = member.next();
  expect((await third).value).toEqual(own(3));
  expect(sink.got).toEqual(['{"data":{"shared":2}}']);
  const rest = member.next();
  await new Promise((r) => setImmediate(r));
  expect(sink.got).toEqual(['{"data":{"shared":2}}', '{"data":{"shared":4}}']);

  // The client completes: the member stops at once, its source is let go, and it ends once.
  await member.return!();
  expect(await rest).toEqual({ done: true, value: undefined });
  expect(ended).toBe(1);
  source.push(shared(5));
  await new Promise((r) => setImmediate(r));
  expect(sink.got).toHaveLength(2);
});

it('ends when its source ends, after the transport took what was offered', async () => {
  let ended = 0;
  const source = createQueue<ExecutionResult>(() => {});
  const member = pumpMember(source, recordingSink(), { resultOf: (r) => r as ExecutionResult, onEnd: () => void ended++, onDirect: () => {} });
  source.push(own(1));
  expect((await member.next()).value).toEqual(own(1));
  const last = member.next();
  await source.return!();
  expect(await last).toEqual({ done: true, value: undefined });
  expect(ended).toBe(1);
});
