/** Shared results in graphql-ws frames: the stand-in is swapped for the bytes; a socket over its bound is closed. */
import { EventEmitter } from 'node:events';
import { expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { rawPayload, sendRawPayloads, SLOW_CONSUMER_CLOSE_CODE, withRawPayload } from '../../src/server/ws-raw-send.js';

/** A socket that records what is sent, with a settable bufferedAmount. */
function fakeSocket() {
  const socket = Object.assign(new EventEmitter(), {
    OPEN: 1,
    readyState: 1,
    bufferedAmount: 0,
    sent: [] as string[],
    closed: null as null | { code: number; reason: string },
    send(data: string, cb?: (error?: Error) => void) {
      this.sent.push(data);
      cb?.();
    },
    close(code: number, reason: string) {
      this.closed = { code, reason };
      this.readyState = 2;
    },
  });
  return socket;
}

it('swaps the stand-in of a shared result for its bytes, once, and leaves other frames alone', () => {
  const socket = fakeSocket() as unknown as WebSocket;
  const bytes = '{"data":{"instancesChanged":{"kind":"INSTANCE_CHANGED","cursor":"e:7"}}}';
  const frame = JSON.stringify({ id: 'a1', type: 'next', payload: rawPayload(socket, bytes) });
  expect(JSON.parse(withRawPayload(socket, frame))).toEqual({ id: 'a1', type: 'next', payload: JSON.parse(bytes) });
  // The bytes were handed over: the same stand-in again is left as it is.
  expect(withRawPayload(socket, frame)).toBe(frame);
  const plain = JSON.stringify({ id: 'a2', type: 'next', payload: { data: { x: 1 } } });
  expect(withRawPayload(socket, plain)).toBe(plain);
  // Another socket's stand-in is not this one's.
  const other = fakeSocket() as unknown as WebSocket;
  const foreign = JSON.stringify({ id: 'a3', type: 'next', payload: rawPayload(other, bytes) });
  expect(withRawPayload(socket, foreign)).toBe(foreign);
});

it('sends through the wrapped send, and closes a socket whose waiting bytes are over the bound instead of buffering more', () => {
  const fake = fakeSocket();
  const socket = fake as unknown as WebSocket;
  const slow: number[] = [];
  sendRawPayloads(socket, 1000, (n) => slow.push(n));
  const bytes = '{"data":{"clusterUpdates":{"name":"alpha"}}}';
  let delivered = 0;
  socket.send(JSON.stringify({ id: '1', type: 'next', payload: rawPayload(socket, bytes) }), () => void delivered++);
  expect(fake.sent).toEqual([`{"id":"1","type":"next","payload":${bytes}}`]);

  fake.bufferedAmount = 5000;
  socket.send(JSON.stringify({ id: '1', type: 'next', payload: rawPayload(socket, bytes) }), () => void delivered++);
  expect(fake.sent).toHaveLength(1);
  expect(fake.closed?.code).toBe(SLOW_CONSUMER_CLOSE_CODE);
  expect(slow).toEqual([5000]);
  // The sender is not left waiting for a frame that was dropped with the connection.
  expect(delivered).toBe(2);
});
