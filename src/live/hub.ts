/**
 * The in-process event hub every live subscription reads. A stream (by key: one environment's
 * instances and events, one release order's feed …) is fed by one source, started for its first
 * subscriber and stopped `lingerMs` after its last one left, however many subscribers it has.
 *
 * Every event gets the stream's next sequence number; its **cursor** is `<epoch>:<sequence>` (the
 * epoch names this run of the stream). The last `bufferSize` events are kept, so that a subscriber
 * that comes back with `after: cursor` gets exactly what it missed. When it cannot (the events are
 * no longer buffered, the stream was restarted, the cursor is not one of ours) — or when a
 * subscriber falls `maxQueued` events behind — it gets an explicit `bufferExceeded` marker followed
 * by a fresh snapshot: never a silent gap.
 */
import { randomBytes } from 'node:crypto';
import { createQueue, type HoldableQueue } from './queue.js';
import { noteQueue } from './queue-capture.js';

export type Delivery<E, S> =
  | { type: 'event'; cursor: string; event: E }
  | { type: 'snapshot'; cursor: string; snapshot: S }
  | { type: 'bufferExceeded'; cursor: string; missedFrom: string | null };

export interface StreamSource<E, S> {
  /** Starts feeding the stream; `ready` resolves once `snapshot()` tells the current state. */
  start(publish: (event: E) => void): { ready: Promise<void>; stop(): void };
  /** The current state, synchronously (after `ready`). */
  snapshot(): S;
}

export interface SubscribeOptions<E> {
  /** A cursor of an earlier delivery of this stream: continue right after it. */
  after?: string | null;
  /** Only these events (the cursors of the others are skipped). */
  filter?: (event: E) => boolean;
}

export interface HubStats {
  streams: number;
  subscribers: number;
  /** Events held in the streams' replay buffers. */
  buffered: number;
  /** Events waiting in subscribers' queues. */
  queued: number;
  /** Times (since the hub started) a subscriber fell `maxQueued` events behind and was cut to BUFFER_EXCEEDED + a snapshot. */
  resyncs: number;
}

export interface Hub {
  subscribe<E, S>(key: string, source: () => StreamSource<E, S>, options?: SubscribeOptions<E>): AsyncIterableIterator<Delivery<E, S>>;
  stats(): HubStats;
  /** Ends every stream and subscriber. */
  stop(): void;
}

export interface HubOptions {
  /** Events kept per stream for reconnecting subscribers (default 1 000). */
  bufferSize?: number;
  /** Events one subscriber may have unread before it is cut to a marker + snapshot (default 1 000). */
  maxQueued?: number;
  /** How long a stream without subscribers keeps running (and buffering) for them to come back (default 30 000 ms). */
  lingerMs?: number;
}

interface Subscriber<E, S> {
  queue: HoldableQueue<Delivery<E, S>>;
  filter: (event: E) => boolean;
  live: boolean;
}

interface Stream<E, S> {
  epoch: string;
  sequence: number;
  buffer: Array<{ sequence: number; event: E }>;
  subscribers: Set<Subscriber<E, S>>;
  source: StreamSource<E, S>;
  running: { ready: Promise<void>; stop(): void };
  linger?: ReturnType<typeof setTimeout>;
}

const cursorOf = (epoch: string, sequence: number) => `${epoch}:${sequence}`;

function parseCursor(cursor: string): { epoch: string; sequence: number } | null {
  const at = cursor.lastIndexOf(':');
  const sequence = Number(cursor.slice(at + 1));
  return at > 0 && Number.isSafeInteger(sequence) && sequence >= 0 ? { epoch: cursor.slice(0, at), sequence } : null;
}

export function createHub(options: HubOptions = {}): Hub {
  const bufferSize = options.bufferSize ?? 1000;
  const maxQueued = options.maxQueued ?? 1000;
  const lingerMs = options.lingerMs ?? 30_000;
  const streams = new Map<string, Stream<any, any>>();
  let resyncs = 0;

  function resync<E, S>(stream: Stream<E, S>, sub: Subscriber<E, S>, missedFrom: string | null): void {
    const cursor = cursorOf(stream.epoch, stream.sequence);
    sub.queue.clear();
    sub.queue.push({ type: 'bufferExceeded', cursor, missedFrom });
    sub.queue.push({ type: 'snapshot', cursor, snapshot: stream.source.snapshot() });
  }

  function open<E, S>(key: string, define: () => StreamSource<E, S>): Stream<E, S> {
    const existing = streams.get(key) as Stream<E, S> | undefined;
    if (existing) {
      if (existing.linger) clearTimeout(existing.linger);
      existing.linger = undefined;
      return existing;
    }
    const source = define();
    const stream: Stream<E, S> = { epoch: randomBytes(6).toString('base64url'), sequence: 0, buffer: [], subscribers: new Set(), source, running: undefined as never };
    streams.set(key, stream);
    stream.running = source.start((event: E) => {
      stream.sequence += 1;
      const cursor = cursorOf(stream.epoch, stream.sequence);
      stream.buffer.push({ sequence: stream.sequence, event });
      if (stream.buffer.length > bufferSize) stream.buffer.shift();
      // One delivery object for every subscriber (deliveries are never changed): the fan-out layer
      // recognises the same event by it, and ten thousand subscribers cost one allocation.
      const delivery: Delivery<E, S> = { type: 'event', cursor, event };
      for (const sub of stream.subscribers) {
        if (!sub.live || !sub.filter(event)) continue;
        if (sub.queue.size >= maxQueued) {
          resyncs += 1;
          resync(stream, sub, cursorOf(stream.epoch, stream.sequence - 1));
        } else sub.queue.push(delivery);
      }
    });
    return stream;
  }

  function leave<E, S>(key: string, stream: Stream<E, S>, sub: Subscriber<E, S>): void {
    stream.subscribers.delete(sub);
    if (stream.subscribers.size > 0 || streams.get(key) !== stream) return;
    stream.linger = setTimeout(() => {
      if (stream.subscribers.size > 0 || streams.get(key) !== stream) return;
      streams.delete(key);
      stream.running.stop();
    }, lingerMs);
    stream.linger.unref?.();
  }

  /** Catches a new subscriber up: what it missed after its cursor, or a snapshot (with a marker when it asked for a cursor it cannot have). */
  function catchUp<E, S>(stream: Stream<E, S>, sub: Subscriber<E, S>, after: string | null | undefined): void {
    if (after == null) {
      sub.queue.push({ type: 'snapshot', cursor: cursorOf(stream.epoch, stream.sequence), snapshot: stream.source.snapshot() });
    } else {
      const parsed = parseCursor(after);
      const oldest = stream.buffer[0]?.sequence ?? stream.sequence + 1;
      const ok = parsed && parsed.epoch === stream.epoch && parsed.sequence <= stream.sequence && parsed.sequence >= oldest - 1;
      if (!ok) resync(stream, sub, after);
      else {
        for (const item of stream.buffer) {
          if (item.sequence > parsed.sequence && sub.filter(item.event)) sub.queue.push({ type: 'event', cursor: cursorOf(stream.epoch, item.sequence), event: item.event });
        }
      }
    }
    sub.live = true;
  }

  return {
    subscribe<E, S>(key: string, define: () => StreamSource<E, S>, subscribeOptions: SubscribeOptions<E> = {}) {
      const stream = open(key, define);
      const sub: Subscriber<E, S> = { filter: subscribeOptions.filter ?? (() => true), live: false, queue: createQueue(() => leave(key, stream, sub)) };
      stream.subscribers.add(sub);
      noteQueue(sub.queue as HoldableQueue<unknown>);
      stream.running.ready.then(
        () => {
          if (stream.subscribers.has(sub)) catchUp(stream, sub, subscribeOptions.after);
        },
        (error: unknown) => sub.queue.fail(error),
      );
      return sub.queue;
    },
    stats() {
      const all = [...streams.values()];
      const subs = all.flatMap((s) => [...s.subscribers]);
      return {
        streams: all.length,
        subscribers: subs.length,
        buffered: all.reduce((n, s) => n + s.buffer.length, 0),
        queued: subs.reduce((n, s) => n + s.queue.size, 0),
        resyncs,
      };
    },
    stop() {
      for (const stream of streams.values()) {
        if (stream.linger) clearTimeout(stream.linger);
        for (const sub of [...stream.subscribers]) void sub.queue.return?.();
        stream.running.stop();
      }
      streams.clear();
    },
  };
}
