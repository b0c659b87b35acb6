/**
 * Sends a shared (already serialized) result in a graphql-ws `next` frame without serializing it again,
 * and bounds what one socket may have waiting to be sent.
 *
 * graphql-ws builds each frame with JSON.stringify; its `onNext` hook may replace the payload. For a
 * shared result `rawPayload` gives it a small stand-in (`{"__cairnRaw":n}`) and keeps the bytes on the
 * socket; the socket's `send`, wrapped by `sendRawPayloads`, swaps the stand-in for the bytes. So ten
 * thousand members of one group cost one serialization and ten thousand small string joins.
 *
 * graphql-ws waits for each frame to be written before it reads the subscription's next event, so a
 * client that stops reading holds at most one frame per subscription here; its events then wait in
 * the hub, which cuts a subscriber that falls `maxQueued` events behind to BUFFER_EXCEEDED and a
 * fresh snapshot. Past `maxBufferedBytes` waiting on one socket, the socket is closed with
 * SLOW_CONSUMER_CLOSE_CODE: the client reconnects and resumes with `after:`.
 */
import type { WebSocket } from 'ws';
import type { DirectSink } from '../live/fanout/direct-sink.js';

/** The close code of a socket that fell too far behind (its buffer over the bound). */
export const SLOW_CONSUMER_CLOSE_CODE = 4413;

/** The default bound of bytes waiting to be sent on one socket. */
export const DEFAULT_MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/** Past this much waiting on a socket, a grouped member waits for its frame to be written before reading on. */
export const DIRECT_HIGH_WATER_BYTES = 256 * 1024;

const RAW_KEY = '__cairnRaw';
const STAND_IN = `"payload":{"${RAW_KEY}":`;

const pending = new WeakMap<WebSocket, Map<number, string>>();
let counter = 0;

/** The stand-in payload for `bytes` on `socket` (for graphql-ws's onNext). */
export function rawPayload(socket: WebSocket, bytes: string): Record<string, number> {
  let waiting = pending.get(socket);
  if (!waiting) {
    waiting = new Map();
    pending.set(socket, waiting);
  }
  const n = ++counter;
  waiting.set(n, bytes);
  return { [RAW_KEY]: n };
}

/** The frame with its stand-in replaced by the bytes it stands for. */
export function withRawPayload(socket: WebSocket, frame: string): string {
  const at = frame.lastIndexOf(STAND_IN);
  if (at < 0) return frame;
  const n = Number(frame.slice(at + STAND_IN.length, frame.length - 2));
  const waiting = pending.get(socket);
  const bytes = waiting?.get(n);
  if (bytes === undefined) return frame;
  waiting!.delete(n);
  return `${frame.slice(0, at)}"payload":${bytes}}`;
}

/** What one socket may have waiting, and what to do past it (set by sendRawPayloads). */
interface Bound {
  maxBufferedBytes: number;
  onSlow(bufferedBytes: number): void;
}

const bounds = new WeakMap<WebSocket, Bound>();

/** Closes `socket` with SLOW_CONSUMER_CLOSE_CODE when more than its bound waits to be sent; whether it did. */
function closedAsSlow(socket: WebSocket): boolean {
  const bound = bounds.get(socket);
  if (!bound || socket.bufferedAmount <= bound.maxBufferedBytes || socket.readyState !== socket.OPEN) return false;
  bound.onSlow(socket.bufferedAmount);
  socket.close(SLOW_CONSUMER_CLOSE_CODE, 'Slow consumer: too much waiting to be sent; reconnect and resume with after');
  return true;
}

/**
 * Wraps `socket.send` (before graphql-ws uses it): stand-ins are swapped for their bytes; over the
 * bound, the socket closes. Frames sent in one turn of the event loop leave in one write: from the
 * second frame on one socket in a turn, the TCP socket is corked, and uncorked on the next turn (ten
 * members on a socket, one syscall; one member, its frame leaves at once).
 */
export function sendRawPayloads(socket: WebSocket, maxBufferedBytes: number, onSlow: (bufferedBytes: number) => void): void {
  const send = socket.send.bind(socket) as (data: unknown, ...rest: unknown[]) => void;
  bounds.set(socket, { maxBufferedBytes, onSlow });
  socket.send = ((data: unknown, ...rest: unknown[]) => {
    const tcp = (socket as unknown as { _socket?: TcpSocket })._socket;
    if (tcp) touch(tcp);
    if (closedAsSlow(socket)) {
      // The frame is dropped with the connection; the sender goes on (graphql-ws then sees the socket closing).
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return;
    }
    send(typeof data === 'string' ? withRawPayload(socket, data) : data, ...rest);
  }) as typeof socket.send;
  socket.once('close', () => pending.delete(socket));
}

interface TcpSocket {
  cork(): void;
  uncork(): void;
  write(data: Buffer, callback?: (error?: Error | null) => void): boolean;
}

/** The TCP sockets written to this turn, and those of them corked (from their second write on): all forgotten (and uncorked) by one immediate. */
const touched = new Set<TcpSocket>();
const corked = new Set<TcpSocket>();

function nextTurn(): void {
  touched.clear();
  for (const tcp of corked) tcp.uncork();
  corked.clear();
}

function touch(tcp: TcpSocket): void {
  if (!touched.has(tcp)) {
    if (touched.size === 0) setImmediate(nextTurn);
    touched.add(tcp);
  } else if (!corked.has(tcp)) {
    corked.add(tcp);
    tcp.cork();
  }
}

/** The frames of the shared result being sent now, by subscription id: members with the same id (one per socket: "0", "1" …) share one buffer. */
let framesOf: string | null = null;
const TEXT = { binary: false } as const;
const frames = new Map<string, Frame>();

/** A whole WebSocket text frame (header and message) and where its message starts. */
interface Frame {
  bytes: Buffer;
  headerLength: number;
}

/**
 * One unmasked, final text frame holding `message` (RFC 6455 §5.2): what ws's sender would write for it —
 * the same bytes for every socket, since a server's frames are not masked.
 */
export function textFrame(message: string): Frame {
  const length = Buffer.byteLength(message);
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(headerLength + length);
  bytes[0] = 0x81; // FIN, text
  if (headerLength === 2) bytes[1] = length;
  else if (headerLength === 4) {
    bytes[1] = 126;
    bytes.writeUInt16BE(length, 2);
  } else {
    bytes[1] = 127;
    bytes.writeUInt16BE(0, 2);
    bytes.writeUIntBE(length, 4, 6);
  }
  bytes.write(message, headerLength);
  return { bytes, headerLength };
}

function frameOf(id: string, prefix: string, serialized: string): Frame {
  if (framesOf !== serialized) {
    framesOf = serialized;
    frames.clear();
  }
  let frame = frames.get(id);
  if (!frame) {
    frame = textFrame(`${prefix}${serialized}}`);
    frames.set(id, frame);
  }
  return frame;
}

/** ws's sender, read only to know that nothing of its own waits (then a frame written past it keeps its place). */
interface SenderState {
  _state?: number;
  _queue?: unknown[];
}

/** The TCP socket under `socket` when a whole frame may be written to it directly: open, and ws's sender idle. */
function idleTcp(socket: WebSocket): TcpSocket | null {
  if (socket.readyState !== socket.OPEN) return null;
  const internals = socket as unknown as { _socket?: TcpSocket; _sender?: SenderState };
  const sender = internals._sender;
  if (!internals._socket || !sender || sender._state !== 0 || sender._queue?.length !== 0) return null;
  return internals._socket;
}

/**
 * Where the fan-out writes a grouped subscription's shared results on `socket` (subscription `id`): a
 * graphql-ws `next` frame made of a prefix computed once and the group's bytes, framed once for every
 * member with that id — one buffer, header included — and written straight to the TCP socket (ws's
 * sender would frame it again for each socket) when ws has nothing of its own waiting; else through
 * the socket's (wrapped) send. Either way the bound above holds. Past DIRECT_HIGH_WATER_BYTES waiting,
 * the member waits for the frame to be written before it reads its next event (its events then wait in
 * the hub).
 */
export function directSink(socket: WebSocket, id: string): DirectSink {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  // No extension was negotiated (the server offers none): a frame is the same bytes on every socket.
  const plain = socket.extensions === '';
  return {
    get open() {
      return socket.readyState === socket.OPEN;
    },
    send(serialized) {
      const frame = frameOf(id, prefix, serialized);
      const tcp = plain ? idleTcp(socket) : null;
      if (!tcp) {
        // A text frame (graphql-ws speaks text; a buffer alone would go as binary).
        const message = frame.bytes.subarray(frame.headerLength);
        if (socket.bufferedAmount < DIRECT_HIGH_WATER_BYTES) {
          socket.send(message, TEXT);
          return null;
        }
        return new Promise<void>((written) => socket.send(message, TEXT, () => written()));
      }
      touch(tcp);
      if (closedAsSlow(socket)) return null;
      if (socket.bufferedAmount < DIRECT_HIGH_WATER_BYTES) {
        tcp.write(frame.bytes);
        return null;
      }
      return new Promise<void>((written) => tcp.write(frame.bytes, () => written()));
    },
  };
}
