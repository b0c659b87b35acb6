/**
 * Order events across replicas (PostgreSQL): the same `OrderEvents` as in one process, but a `publish` on one
 * replica (the engine leader, after each pass) also reaches the listeners of every other replica sharing the
 * database, through a NOTIFY on `cairn_orders` that carries only `<orderId>.<sequence>` — listeners re-read the
 * rows.
 *
 * Sequence numbers are the publisher's, carried in the notification: each replica takes them as they come, so
 * every replica numbers an order's events alike, and each listener sees each event once, in order (NOTIFYs are sent
 * one at a time and PostgreSQL delivers them in commit order; a replica skips its own, which it told its listeners
 * at once). A publisher goes on from the highest number it has seen for the order, so a new leader after a failover
 * continues the numbering. An event that repeats or goes back on a number already heard from the same replica is
 * skipped; an event whose number is not past this replica's (two publishers at once, or a publisher that had not
 * heard every event — a fresh process) is still told, numbered one past the last: each replica's numbers always
 * grow. After the LISTEN connection was lost (events may have been missed) every order with listeners is told again
 * with its current number: the listeners re-read, and the next event's number shows the jump.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createOutbox, type Outbox } from '../db/pg/notify-outbox.js';
import { CHANNELS, MAX_PAYLOAD_BYTES, type Notifications } from '../db/pg/notifications.js';
import { forgetUnheard, type OrderEvents } from './order-events.js';

export interface ReplicatedOrderEvents extends OrderEvents {
  /** This replica's name in its notifications. */
  readonly origin: string;
  /** Resolves once every event published so far was sent to the database (tests; bounded by the caller). */
  flushed(): Promise<void>;
  /** Stops listening and sending (the notifications themselves are the database's to close). */
  close(): void;
}

export interface ReplicatedOrderEventsOptions {
  /** Default: random. */
  origin?: string;
  /** Events held while the database does not answer (default 10 000; the oldest are dropped beyond). */
  maxPending?: number;
  /** Orders whose numbers are kept while nobody here listens to them (default MAX_UNHEARD_ORDERS). */
  maxUnheard?: number;
  onError?: (error: Error) => void;
}

/** `<origin>;<orderId>.<sequence>,…` → the origin and the events; null when it is not one. */
export function parseOrderPayload(payload: string): { origin: string; events: Array<[number, number]> } | null {
  const at = payload.indexOf(';');
  if (at <= 0) return null;
  const events: Array<[number, number]> = [];
  for (const part of payload.slice(at + 1).split(',')) {
    const [id, seq] = part.split('.').map(Number);
    if (!Number.isSafeInteger(id) || !Number.isSafeInteger(seq) || id! <= 0 || seq! <= 0) continue;
    events.push([id!, seq!]);
  }
  return { origin: payload.slice(0, at), events };
}

export function createReplicatedOrderEvents(bus: Pick<Notifications, 'listen' | 'onGap' | 'notify'>, options: ReplicatedOrderEventsOptions = {}): ReplicatedOrderEvents {
  const origin = options.origin ?? randomBytes(6).toString('base64url');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(origin)) throw new Error(`not a replica name: ${origin}`);
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const sequences = new Map<number, number>();
  /** The last event heard from another replica, per order: a repeat of it or an earlier one of the same replica is skipped. */
  const heard = new Map<number, { origin: string; sequence: number }>();
  const outbox: Outbox = createOutbox({
    send: (payload) => bus.notify(CHANNELS.orders, payload),
    prefix: `${origin};`,
    maxBytes: MAX_PAYLOAD_BYTES,
    maxPending: options.maxPending,
    onError: options.onError,
  });

  const listened = (orderId: number) => emitter.listenerCount(String(orderId)) > 0;
  /** Above every number forgotten: a forgotten order numbers on from there (the other replicas skip numbers they heard). */
  let floor = 0;
  const tell = (orderId: number, sequence: number) => {
    sequences.delete(orderId); // to the end: the most recently told
    sequences.set(orderId, sequence);
    emitter.emit(String(orderId), sequence);
    floor = Math.max(floor, forgetUnheard(sequences, [heard], listened, options.maxUnheard));
  };

  const offMessage = bus.listen(CHANNELS.orders, (payload) => {
    const parsed = parseOrderPayload(payload);
    if (!parsed || parsed.origin === origin) return; // ours: told when published
    for (const [orderId, sequence] of parsed.events) {
      const before = heard.get(orderId);
      if (before && before.origin === parsed.origin && sequence <= before.sequence) continue; // heard already
      heard.set(orderId, { origin: parsed.origin, sequence });
      // The publisher's number; one past ours when it is behind (a publisher that had not heard them all).
      tell(orderId, Math.max(sequence, (sequences.get(orderId) ?? floor) + 1));
    }
  });
  const offGap = bus.onGap(() => {
    for (const name of emitter.eventNames()) {
      const orderId = Number(name);
      emitter.emit(String(orderId), sequences.get(orderId) ?? 0);
    }
  });

  return {
    origin,
    publish(orderId) {
      const next = (sequences.get(orderId) ?? floor) + 1;
      tell(orderId, next);
      outbox.push(`${orderId}.${next}`);
    },
    listen(orderId, listener) {
      emitter.on(String(orderId), listener);
      return () => emitter.off(String(orderId), listener);
    },
    sequence: (orderId) => sequences.get(orderId) ?? 0,
    flushed: () => outbox.flushed(),
    close() {
      offMessage();
      offGap();
      outbox.close();
    },
  };
}
