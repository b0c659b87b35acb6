/**
 * What a replica announces to the others, sent in order: entries queued in one tick go out together in as few
 * notifications as PostgreSQL's payload limit allows, one NOTIFY at a time (so they commit, and so arrive at
 * every replica, in the order they were queued). A failed NOTIFY (the database unreachable) is tried again with
 * backoff; the queue is bounded — past `maxPending` the oldest entries are dropped and the others learn of the
 * loss by the next sequence number (a jump) or their own gap handling.
 */
export interface OutboxOptions {
  /** Sends one payload (the replicated events' channel); rejects on failure. */
  send(payload: string): Promise<void>;
  /** The payload's fixed part, before the entries (`<origin>;`). */
  prefix: string;
  /** The longest payload in bytes (entries are ASCII). */
  maxBytes: number;
  /** Entries held at most while the database does not answer (default 10 000). */
  maxPending?: number;
  /** The first wait after a failed send, doubled up to 5 s (default 100 ms). */
  retryMs?: number;
  onError?: (error: Error) => void;
}

export interface Outbox {
  push(entry: string): void;
  /** Resolves once every entry queued so far was sent (or dropped at close). */
  flushed(): Promise<void>;
  /** Entries dropped since the start because the queue was full. */
  dropped(): number;
  close(): void;
}

/** Splits entries (each shorter than the room) into payloads of at most `maxBytes`. */
export function packPayloads(prefix: string, entries: readonly string[], maxBytes: number): string[] {
  const payloads: string[] = [];
  let current = '';
  for (const entry of entries) {
    if (prefix.length + entry.length > maxBytes) throw new RangeError(`an entry of ${entry.length} bytes does not fit a notification`);
    const next = current ? `${current},${entry}` : entry;
    if (prefix.length + next.length > maxBytes) {
      payloads.push(prefix + current);
      current = entry;
    } else current = next;
  }
  if (current) payloads.push(prefix + current);
  return payloads;
}

export function createOutbox(options: OutboxOptions): Outbox {
  const maxPending = options.maxPending ?? 10_000;
  const firstRetryMs = options.retryMs ?? 100;
  let pending: string[] = [];
  let sending: Promise<void> | null = null;
  let scheduled = false;
  let closed = false;
  let dropped = 0;
  let wake: (() => void) | null = null;

  const trim = () => {
    if (pending.length <= maxPending) return;
    dropped += pending.length - maxPending;
    pending = pending.slice(pending.length - maxPending);
  };
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      timer.unref?.();
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  async function drain(): Promise<void> {
    let retryMs = firstRetryMs;
    while (pending.length > 0 && !closed) {
      const [payload] = packPayloads(options.prefix, pending.slice(0, 2_000), options.maxBytes);
      const batch = pending.splice(0, payload!.slice(options.prefix.length).split(',').length);
      try {
        await options.send(payload!);
        retryMs = firstRetryMs;
      } catch (error) {
        // Back to the front, in order; the queue's bound still holds.
        pending = [...batch, ...pending];
        trim();
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
        await wait(retryMs * (0.5 + Math.random() / 2));
        retryMs = Math.min(5_000, retryMs * 2);
      }
    }
  }

  function start(): void {
    scheduled = false;
    if (sending || closed) return;
    sending = drain().finally(() => {
      sending = null;
      if (pending.length > 0 && !closed) start();
    });
  }

  return {
    push(entry) {
      if (closed) return;
      pending.push(entry);
      trim();
      if (!scheduled && !sending) {
        scheduled = true;
        // Everything published in this tick goes out together.
        setImmediate(start);
      }
    },
    async flushed() {
      while ((pending.length > 0 || sending || scheduled) && !closed) await (sending ?? new Promise((r) => setImmediate(r)));
    },
    dropped: () => dropped,
    close() {
      closed = true;
      pending = [];
      wake?.();
    },
  };
}
