/**
 * One grouped member over a transport with a direct sink (graphql-ws). The member reads its own source
 * (its hub subscription: its snapshot, catch-up, cursors, order) and writes each shared result — the
 * group's bytes, serialized once — straight to the sink: no per-member trip through the transport's
 * loop, the envelop hooks or JSON.stringify.
 *
 * A result that is not shared (the member's own snapshot, a BUFFER_EXCEEDED marker, a result with errors)
 * goes out through the returned iterator — the transport's usual path, with every hook — and the member
 * writes nothing more until the transport asks for its next result (so that one was sent): order holds.
 * The iterator ends when the source ends (after the last result was taken); its `return()` (the client's
 * complete, a closed socket, a revoked token, shutdown) stops the member at once.
 */
import type { ExecutionResult } from 'graphql';
import type { DirectSink } from './direct-sink.js';
import { Ending, MEMBER_END } from './member-end.js';
import { serializedOf } from './shared-result.js';

type MaybePromise<T> = T | Promise<T>;

const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> => typeof (v as Promise<T>)?.then === 'function';

export interface PumpHooks {
  /** The result of one source event for this member (the group's when it has one). */
  resultOf(payload: unknown): MaybePromise<ExecutionResult>;
  /** Called once when the member ends, however it ends. */
  onEnd(): void;
  /** Called for each result written straight to the sink. */
  onDirect(): void;
  /**
   * The member wrote `payload`'s shared result (`bytes`) and has nothing more waiting: true when it parks (its
   * group writes its next events for it, src/live/fanout/group-live.ts) until `wake` is called.
   */
  park?(payload: unknown, bytes: string, wake: (wait: Promise<void> | null) => void): boolean;
  /** The member has `payload`'s shared result (`bytes`), read for itself: its group writes it for its parked members. */
  delivered?(payload: unknown, bytes: string): void;
  /** The member stops reading for a while (it waits for its socket or for the transport). */
  pause?(): void;
}

export function pumpMember(source: AsyncIterator<unknown>, sink: DirectSink, hooks: PumpHooks): AsyncIterableIterator<ExecutionResult> {
  const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
  let started = false;
  let stopped = false;
  let finished: { error?: unknown } | null = null;
  /** The transport's pending read. */
  let reader: { resolve(r: IteratorResult<ExecutionResult>): void; reject(e: unknown): void } | null = null;
  /** A result waiting for the transport to read it, and the member's wait for it to be sent. */
  let offered: { value: ExecutionResult; sent: () => void } | null = null;
  /** The member's wait for the result the transport took to be sent (it is when the transport reads again). */
  let sending: (() => void) | null = null;
  /** Ends the member's wait for a direct send (its callback may never fire once the socket is closed). */
  let sendWaitEnd: (() => void) | null = null;
  /** Ends the member's park (its group wrote for it): with the wait for its last frame's write, if any. */
  let unpark: ((wait: Promise<void> | null) => void) | null = null;

  const waitFor = (wait: Promise<void>) =>
    new Promise<void>((resolve, reject) => {
      sendWaitEnd = resolve;
      wait.then(resolve, reject);
    }).finally(() => (sendWaitEnd = null));

  const release = () => {
    const s = sending ?? offered?.sent;
    sending = null;
    offered = null;
    s?.();
  };

  const finish = (error?: unknown) => {
    if (finished) return;
    finished = error === undefined ? {} : { error };
    hooks.onEnd();
    ending.ended();
    const r = reader;
    reader = null;
    if (!r) return;
    if (error === undefined) r.resolve(done);
    else {
      finished = {};
      r.reject(error);
    }
  };

  const handOver = (value: ExecutionResult) =>
    new Promise<void>((sent) => {
      if (reader) {
        const r = reader;
        reader = null;
        sending = sent;
        r.resolve({ done: false, value });
      } else offered = { value, sent };
    });

  /** Parks the member after `payload` (written, nothing more waiting) when its group lets it; resolves once it reads for itself again. */
  const parkAfter = async (payload: unknown, bytes: string): Promise<void> => {
    if (!hooks.park) return;
    // Woken with the wait in a box: a promise resolved with a promise would wait for it, past stop().
    let woken!: (wait: Promise<void> | null) => void;
    const parked = new Promise<{ wait: Promise<void> | null }>((resolve) => (woken = (wait) => resolve({ wait })));
    if (!hooks.park(payload, bytes, woken)) return;
    unpark = woken;
    const { wait: last } = await parked;
    unpark = null;
    if (!stopped && last) await waitFor(last);
  };

  const pump = async () => {
    try {
      for (;;) {
        const r = await source.next();
        if (r.done || stopped) break;
        const maybe = hooks.resultOf(r.value);
        const result = isPromise(maybe) ? await maybe : maybe;
        if (stopped) break;
        const bytes = serializedOf(result);
        if (bytes !== null && sink.open) {
          hooks.onDirect();
          const wait = sink.send(bytes);
          hooks.delivered?.(r.value, bytes);
          if (wait) {
            hooks.pause?.();
            await waitFor(wait);
          } else await parkAfter(r.value, bytes);
        } else {
          hooks.pause?.();
          await handOver(result);
          // Its own result (its snapshot) is sent: caught up at that cursor, it may park at once, so that its group
          // writes even its first event for it (not only from the second on).
          if (!stopped && sink.open) await parkAfter(r.value, '');
        }
        if (stopped) break;
      }
      finish();
    } catch (error) {
      finish(stopped ? undefined : error);
    }
  };

  const stop = () => {
    if (stopped) return;
    stopped = true;
    release();
    sendWaitEnd?.();
    unpark?.(null);
    // Not awaited: a source's return() may wait for its pending next().
    void Promise.resolve(source.return?.()).catch(() => {});
    finish();
  };

  // Shutdown, revocation and the token's cap end the member through this, not through wrappers (member-end.ts).
  const ending = new Ending(stop);

  const member: AsyncIterableIterator<ExecutionResult> & { [MEMBER_END]: Ending } = {
    [MEMBER_END]: ending,
    next() {
      // Started on the transport's first read: by then it has registered the subscription (not once stopped).
      if (!started && !stopped) {
        started = true;
        void pump();
      }
      if (sending) {
        const s = sending;
        sending = null;
        s();
      }
      if (offered) {
        const o = offered;
        offered = null;
        sending = o.sent;
        return Promise.resolve({ done: false, value: o.value });
      }
      if (finished) {
        const { error } = finished;
        finished = {};
        return error === undefined ? Promise.resolve(done) : Promise.reject(error);
      }
      return new Promise((resolve, reject) => (reader = { resolve, reject }));
    },
    async return() {
      stop();
      return done;
    },
    async throw(error: unknown) {
      stop();
      throw error;
    },
    [Symbol.asyncIterator]: () => member,
  };
  return member;
}
