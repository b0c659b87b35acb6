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

interface Waiting<T> {
  resolve: (r: IteratorResult<T>) => void;
  reject: (e: unknown) => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A class, not closures: ten thousand subscribers share its methods (a queue is a few fields). The
 * usual case — at most one read waiting — keeps that read in a field, not an array.
 */
class PushQueue<T> implements Queue<T> {
  private buffered: T[] | null = null;
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

  private close(): IteratorResult<T> {
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
    const w = this.takeWaiting();
    if (w) w.resolve({ done: false, value });
    else (this.buffered ??= []).push(value);
  }

  clear(): void {
    if (this.buffered) this.buffered.length = 0;
  }

  get size(): number {
    return this.buffered?.length ?? 0;
  }

  fail(error: unknown): void {
    if (this.closed) return;
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

export function createQueue<T>(onClose: () => void): Queue<T> {
  return new PushQueue<T>(onClose);
}
