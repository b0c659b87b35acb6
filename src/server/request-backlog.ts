/**
 * How many HTTP requests wait in accept-first's line (accept-first.ts), for work that should yield to them:
 * the release engine holds its passes while requests wait (src/engine/wake-hold.ts).
 */
export interface RequestBacklog {
  /** Whether requests are waiting to run. */
  busy(): boolean;
  /** Called each time the last waiting request leaves the line (just before it runs, or dropped: its client left). */
  onIdle(listener: () => void): void;
  /** Told by the line: how many requests wait now. */
  waiting(count: number): void;
}

export function createRequestBacklog(): RequestBacklog {
  let count = 0;
  const listeners: (() => void)[] = [];
  return {
    busy: () => count > 0,
    onIdle(listener) {
      listeners.push(listener);
    },
    waiting(now) {
      const before = count;
      count = now;
      if (before > 0 && now === 0) for (const listener of listeners) listener();
    },
  };
}
