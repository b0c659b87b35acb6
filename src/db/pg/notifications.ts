/**
 * PostgreSQL LISTEN/NOTIFY for cairn's replicas: what one replica announces (an order changed, a token lost its
 * rights, a write committed) reaches every replica sharing the database.
 *
 * Listening takes ONE dedicated connection (not from the pool: a pooled connection would be handed to other work
 * and its LISTENs lost). It LISTENs on every cairn channel; when it drops (the server restarted, an administrator
 * ended the backend, the network broke — a heartbeat query finds the silent cases) it reconnects with backoff,
 * LISTENs again and tells every gap handler: notifications sent while it was away are lost for good, so each
 * listener re-reads what it follows from the database. Every wait is bounded: connecting, each LISTEN, each
 * heartbeat, each NOTIFY.
 *
 * Sending goes through the pool (`SELECT pg_notify($1, $2)`), one statement of its own, after the change it announces
 * committed (the change counter's notice is the exception: src/db/pg/database.ts sends it inside each write
 * transaction, so it is delivered at commit or never). Payloads are
 * small — IDs and sequence numbers, never row contents — and bounded by PostgreSQL's 8000 bytes. Notifications of
 * different transactions arrive in the order the transactions committed, at every listener alike.
 */
import pg from 'pg';

/** cairn's channels (every replica LISTENs on all of them). */
export const CHANNELS = {
  /** Release orders that changed: `<origin>;<orderId>.<sequence>,…` (src/engine/replicated-order-events.ts). */
  orders: 'cairn_orders',
  /** Tokens revoked or with reduced rights (src/auth/replicated-token-events.ts). */
  tokens: 'cairn_tokens',
  /** A write transaction committed: `<origin>` (src/db/pg/database.ts's change counter). */
  changes: 'cairn_changes',
} as const;
export type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];
const KNOWN = new Set<string>(Object.values(CHANNELS));

/** PostgreSQL refuses a payload of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7999;

export class PayloadTooLargeError extends Error {
  override name = 'PayloadTooLargeError';
  readonly code = 'NOTIFY_PAYLOAD_TOO_LARGE';
}

/** Throws when `payload` cannot be sent in one notification. */
export function checkPayload(channel: string, payload: string): void {
  if (!KNOWN.has(channel)) throw new Error(`not a cairn notification channel: ${channel}`);
  const bytes = Buffer.byteLength(payload, 'utf8');
  if (bytes > MAX_PAYLOAD_BYTES) throw new PayloadTooLargeError(`a ${channel} notification of ${bytes} bytes is over PostgreSQL's limit (${MAX_PAYLOAD_BYTES})`);
}

/** Something that runs one parameterised statement: the pool, a pooled client, a transaction's connection. */
export interface Queryable {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/** The statement that notifies (for a transaction of one's own: delivered at its commit). */
export const NOTIFY_SQL = 'SELECT pg_notify($1, $2)';

export interface NotificationsOptions {
  /** The database's URL (the same as the pool's). */
  url: string;
  /** Where `notify` sends (the database's pool). */
  pool: Queryable;
  /** Connecting (and each LISTEN) may take this long (default 5 s). */
  connectTimeoutMs?: number;
  /** A heartbeat query every this often finds a connection that died silently (default 10 s). */
  heartbeatMs?: number;
  /** A heartbeat or a NOTIFY may take this long (default 5 s). */
  queryTimeoutMs?: number;
  /** The first wait before reconnecting; doubled after each failure up to `maxBackoffMs` (defaults 100 ms and 5 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told of a connection lost ('lost') and of each failed attempt to connect ('reconnect'): a logger's warn. */
  onError?: (error: Error, what: 'lost' | 'reconnect') => void;
}

export interface NotificationsStatus {
  /** LISTENing now. */
  listening: boolean;
  /** Times the connection was lost and made again. */
  reconnects: number;
  /** Notifications received so far. */
  received: number;
}

export interface Notifications {
  /** Calls `handler` with the payload of each notification on `channel` (one of CHANNELS); returns the unsubscribe function. */
  listen(channel: Channel, handler: (payload: string) => void): () => void;
  /** Calls `handler` after the connection was lost and made again: notifications may have been missed. */
  onGap(handler: () => void): () => void;
  /** Sends one notification through the pool (bounded payload and wait). */
  notify(channel: Channel, payload: string): Promise<void>;
  /** Resolves once LISTENing (the first connection); rejects after `timeoutMs` (default connectTimeoutMs + 1 s). */
  ready(timeoutMs?: number): Promise<void>;
  status(): NotificationsStatus;
  /** Stops listening and ends the connection; safe to call twice. */
  close(): Promise<void>;
}

/** Races `promise` against a timer; the timer never outlives it. */
function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Ends a client, and destroys its socket if the goodbye is not answered within `ms` (a silently dead peer). */
function endClient(c: pg.Client, ms: number): Promise<void> {
  const destroy = () => (c as unknown as { connection?: { stream?: { destroy?(): void } } }).connection?.stream?.destroy?.();
  const timer = setTimeout(destroy, ms);
  timer.unref?.();
  return c.end().then(
    () => clearTimeout(timer),
    () => (clearTimeout(timer), destroy()),
  );
}

export function createNotifications(options: NotificationsOptions): Notifications {
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const queryTimeoutMs = options.queryTimeoutMs ?? 5_000;
  const initialBackoffMs = options.initialBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const handlers = new Map<string, Set<(payload: string) => void>>();
  const gapHandlers = new Set<() => void>();
  let client: pg.Client | null = null;
  let listening = false;
  let everListened = false;
  let closed = false;
  let reconnects = 0;
  let received = 0;
  let backoffMs = initialBackoffMs;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  const readyWaiters = new Set<() => void>();

  const call = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      options.onError?.(error instanceof Error ? error : new Error(String(error)), 'lost');
    }
  };

  function deliver(message: pg.Notification): void {
    received += 1;
    for (const handler of [...(handlers.get(message.channel) ?? [])]) call(() => handler(message.payload ?? ''));
  }

  /** Ends `c` (the current connection or a failed attempt) and, unless closing, schedules the next attempt. */
  function drop(c: pg.Client, error: Error | null): void {
    if (c !== client) return;
    const wasListening = listening;
    client = null;
    listening = false;
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = undefined;
    c.removeAllListeners('notification');
    void endClient(c, connectTimeoutMs);
    if (closed) return;
    if (error) options.onError?.(error, wasListening ? 'lost' : 'reconnect');
    const wait = backoffMs * (0.5 + Math.random() / 2);
    backoffMs = Math.min(maxBackoffMs, backoffMs * 2);
    retryTimer = setTimeout(connect, wait);
    retryTimer.unref?.();
  }

  async function connect(): Promise<void> {
    retryTimer = undefined;
    if (closed) return;
    const c = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: connectTimeoutMs,
      query_timeout: Math.max(connectTimeoutMs, queryTimeoutMs),
      keepAlive: true,
      application_name: 'cairn-listen',
    });
    client = c;
    // A lost connection says so by an error, an end, or both: each drops it once (drop ignores a stale client).
    c.on('error', (error) => drop(c, error));
    c.on('end', () => drop(c, new Error('the LISTEN connection ended')));
    c.on('notification', deliver);
    try {
      await bounded(c.connect(), connectTimeoutMs + 1_000, 'connecting to listen');
      for (const channel of KNOWN) await bounded(c.query(`LISTEN ${channel}`), connectTimeoutMs, `LISTEN ${channel}`);
    } catch (error) {
      drop(c, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    if (c !== client || closed) {
      await endClient(c, connectTimeoutMs);
      return;
    }
    listening = true;
    backoffMs = initialBackoffMs;
    const wasGap = everListened;
    everListened = true;
    if (wasGap) reconnects += 1;
    heartbeat = setInterval(() => {
      bounded(c.query('SELECT 1'), queryTimeoutMs, 'the LISTEN heartbeat').catch((error: Error) => drop(c, error));
    }, heartbeatMs);
    heartbeat.unref?.();
    for (const resolve of [...readyWaiters]) resolve();
    readyWaiters.clear();
    if (wasGap) for (const handler of [...gapHandlers]) call(handler);
  }

  void connect();

  return {
    listen(channel, handler) {
      if (!KNOWN.has(channel)) throw new Error(`not a cairn notification channel: ${channel}`);
      let set = handlers.get(channel);
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(handler);
      return () => void set.delete(handler);
    },
    onGap(handler) {
      gapHandlers.add(handler);
      return () => void gapHandlers.delete(handler);
    },
    async notify(channel, payload) {
      checkPayload(channel, payload);
      await bounded(options.pool.query(NOTIFY_SQL, [channel, payload]), queryTimeoutMs, `NOTIFY ${channel}`);
    },
    ready(timeoutMs = connectTimeoutMs + 1_000) {
      if (listening) return Promise.resolve();
      if (closed) return Promise.reject(new Error('notifications are closed'));
      let resolve!: () => void;
      const waiting = new Promise<void>((r) => (resolve = r));
      readyWaiters.add(resolve);
      return bounded(waiting, timeoutMs, 'LISTENing on the cairn channels').finally(() => readyWaiters.delete(resolve));
    },
    status: () => ({ listening, reconnects, received }),
    async close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (heartbeat) clearInterval(heartbeat);
      const c = client;
      client = null;
      listening = false;
      handlers.clear();
      gapHandlers.clear();
      if (c) {
        c.removeAllListeners('notification');
        await endClient(c, connectTimeoutMs);
      }
    },
  };
}
