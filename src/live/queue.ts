/**
 * What one subscriber reads: an async iterator fed by pushes, whose length the hub can see (to cut off a
 * subscriber that does not keep up). `return()` ends it at once, even while a `next()` waits, and calls
 * `onClose` exactly once; `fail(error)` makes the next read throw.
 */
export interface Queue<T> extends AsyncIterableIterator<T> {
  push(value: T): void;
  /** Drops what is waiting to be read. */
  clear(): void;
  readonly size: number;
  fail(error: unknown): void;
}

/**
 * A queue whose reads someone else may take over for a while (the fan-out's group, which writes a caught-up
 * member's events for it in one loop, src/live/fanout/group-live.ts). While held, a push is kept — never handed
 * to a waiting read — for the holder to `peek` and `shift` in order; `release()` gives reads back.
 */
export interface HoldableQueue<T> extends Queue<T> {
  /**
   * Keeps pushes for the holder; `lost` is called once if the queue is cleared, fails or closes while held (it is
   * released first). False (and nothing held) when the queue has ended.
   */
  hold(lost: () => void): boolean;
  /** Reads get values again (what is kept is read first). */
  release(): void;
  readonly held: boolean;
  /** The oldest value kept, not taken. */
  peek(): T | undefined;
  /** Takes the oldest value kept. */
  shift(): T | undefined;
}

interface Waiting<T> {
  resolve: (r: IteratorResult<T>) => void;
  reject: (e: unknown) => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A class, not closures: ten thousand subscribers share its methods (a queue is a few fields). The
 * usual case — at most one read waiting — keeps that read in a field, not an array.
 */
class PushQueue<T> implements HoldableQueue<T> {
  private buffered: T[] | null = null;
  /** While held: who is told when what is kept is lost (cleared, failed, closed). */
  private holder: (() => void) | null = null;
  private waiting: Waiting<T> | Waiting<T>[] | null = null;
  private closed = false;
  private failure: { error: unknown } | null = null;

  constructor(private onClose: (() => void) | null) {}

  private takeWaiting(): Waiting<T> | undefined {
    const w = this.waiting;
    if (w === null) return undefined;
    if (!Array.isArray(w)) {
      this.waiting = null;
      return w;
    }
    const first = w.shift();
    if (w.length === 0) this.waiting = null;
    return first;
  }

  private allWaiting(): Waiting<T>[] {
    const w = this.waiting;
    this.waiting = null;
    return w === null ? [] : Array.isArray(w) ? w : [w];
  }

  /** Ends a hold whose kept values are lost, telling the holder. */
  private lose(): void {
    const lost = this.holder;
    this.holder = null;
    lost?.();
  }

  private close(): IteratorResult<T> {
    this.lose();
    if (!this.closed) {
      this.closed = true;
      this.buffered = null;
      for (const w of this.allWaiting()) w.resolve(DONE);
      const onClose = this.onClose;
      this.onClose = null;
      onClose?.();
    }
    return DONE;
  }

  push(value: T): void {
    if (this.closed) return;
    const w = this.holder === null ? this.takeWaiting() : undefined;
    if (w) w.resolve({ done: false, value });
    else (this.buffered ??= []).push(value);
  }

  clear(): void {
    if (this.buffered) this.buffered.length = 0;
    this.lose();
  }

  hold(lost: () => void): boolean {
    if (this.closed || this.failure !== null) return false;
    this.holder = lost;
    return true;
  }

  release(): void {
    this.holder = null;
    while (this.waiting !== null && this.buffered !== null && this.buffered.length > 0) this.takeWaiting()!.resolve({ done: false, value: this.buffered.shift() as T });
  }

  get held(): boolean {
    return this.holder !== null;
  }

  peek(): T | undefined {
    return this.buffered?.[0];
  }

  shift(): T | undefined {
    return this.buffered?.shift();
  }

  get size(): number {
    return this.buffered?.length ?? 0;
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.lose();
    this.failure = { error };
    for (const w of this.allWaiting()) w.reject(error);
    this.close();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffered !== null && this.buffered.length > 0) return Promise.resolve({ done: false, value: this.buffered.shift() as T });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = null;
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      const w = { resolve, reject };
      const waiting = this.waiting;
      this.waiting = waiting === null ? w : Array.isArray(waiting) ? (waiting.push(w), waiting) : [waiting, w];
    });
  }

  return(): Promise<IteratorResult<T>> {
    return Promise.resolve(this.close());
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export function createQueue<T>(onClose: () => void): HoldableQueue<T> {
  return new PushQueue<T>(onClose);
}
