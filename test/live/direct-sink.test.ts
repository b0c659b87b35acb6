/**
 * A grouped member over graphql-ws: shared results go straight to the socket as a precomputed frame
 * around the group's bytes; its own results (snapshot, markers, errors) go through the transport's
 * iterator, and nothing is written past one of them until the transport has sent it.
 */
import { EventEmitter } from 'node:events';
import type { ExecutionResult } from 'graphql';
import { expect, it } from 'vitest';
import * as ws from 'ws';
import type { WebSocket } from 'ws';
import type { DirectSink } from '../../src/live/fanout/direct-sink.js';
import { pumpMember } from '../../src/live/fanout/member-pump.js';
import { share } from '../../src/live/fanout/shared-result.js';
import { createQueue } from '../../src/live/queue.js';
import { DIRECT_HIGH_WATER_BYTES, directSink, textFrame } from '../../src/server/ws-raw-send.js';

/** ws's own framing and parsing (exported by ws, not declared by its types). */
const { Receiver, Sender } = ws as unknown as {
  Receiver: new (options: { isServer: boolean }) => NodeJS.WritableStream & { on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void };
  Sender: { frame(data: Buffer, options: Record<string, unknown>): Buffer[] };
};

/** A socket whose frames ws would send (`sent`: messages) or that the fan-out writes whole to its TCP socket (`written`: frames). */
function fakeSocket(senderBusy = false) {
  const tcp = {
    written: [] as Buffer[],
    callbacks: [] as Array<() => void>,
    write(data: Buffer, cb?: () => void) {
      this.written.push(data);
      if (cb) this.callbacks.push(cb);
      return true;
    },
    cork() {},
    uncork() {},
  };
  return Object.assign(new EventEmitter(), {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    extensions: '',
    _socket: tcp,
    _sender: { _state: senderBusy ? 1 : 0, _queue: [] as unknown[] },
    tcp,
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

/** The message in a whole unmasked frame (what a client reads). */
function messageOf(frame: Buffer): string {
  const [message] = receive([frame]);
  return message!;
}

/** Reads frames with ws's own receiver, as a client does. */
function receive(frames: Buffer[]): string[] {
  const messages: string[] = [];
  const receiver = new Receiver({ isServer: false });
  receiver.on('message', (data: Buffer, isBinary: boolean) => {
    expect(isBinary).toBe(false);
    messages.push(data.toString());
  });
  for (const f of frames) receiver.write(f);
  return messages;
}

it('frames a message once as ws would, for every length form (7-bit, 16-bit, 64-bit)', () => {
  for (const length of [0, 5, 125, 126, 65535, 65536, 70000]) {
    const message = 'é'.repeat(Math.floor(length / 2)) + 'x'.repeat(length % 2);
    const ours = textFrame(message);
    const theirs = Buffer.concat(Sender.frame(Buffer.from(message), { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
    expect(ours.bytes.equals(theirs)).toBe(true);
    expect(ours.bytes.subarray(ours.headerLength).toString()).toBe(message);
    expect(receive([ours.bytes])).toEqual([message]);
  }
});

it('writes a whole graphql-ws next frame around the shared bytes to the TCP socket, one buffer for every member with that id; past the high-water mark it waits for the write', async () => {
  const a = fakeSocket();
  const b = fakeSocket();
  const bytes = '{"data":{"clusterUpdates":{"name":"alpha"}}}';
  expect(directSink(a as unknown as WebSocket, '0').send(bytes)).toBeNull();
  expect(directSink(b as unknown as WebSocket, '0').send(bytes)).toBeNull();
  expect(a.sent).toEqual([]);
  expect(JSON.parse(messageOf(a.tcp.written[0]!))).toEqual({ id: '0', type: 'next', payload: JSON.parse(bytes) });
  expect(b.tcp.written[0]).toBe(a.tcp.written[0]);

  b.bufferedAmount = DIRECT_HIGH_WATER_BYTES;
  const wait = directSink(b as unknown as WebSocket, '1').send(bytes);
  expect(wait).toBeInstanceOf(Promise);
  expect(JSON.parse(messageOf(b.tcp.written[1]!)).id).toBe('1');
  let written = false;
  void wait!.then(() => (written = true));
  await Promise.resolve();
  expect(written).toBe(false);
  b.tcp.callbacks[0]!();
  await wait;
});

it('sends through ws when its sender has something of its own waiting (so that the frame keeps its place)', async () => {
  const busy = fakeSocket(true);
  const bytes = '{"data":{"clusterUpdates":{"name":"beta"}}}';
  expect(directSink(busy as unknown as WebSocket, '0').send(bytes)).toBeNull();
  expect(busy.tcp.written).toEqual([]);
  expect(JSON.parse(busy.sent[0]!.toString())).toEqual({ id: '0', type: 'next', payload: JSON.parse(bytes) });
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
