/**
 * Time in a sandbox cluster. Wall-clock timestamps are real (so they agree with cairn's own clock),
 * but every simulated duration — image pulls, start-up, probe periods, back-offs, grace periods —
 * is divided by `speed`, so tests run many times faster while `npm start` (speed 1) feels real.
 */
export interface Clock {
  readonly speed: number;
  /** Real wall-clock time. */
  now(): Date;
  /** Real milliseconds that a simulated duration of `simMs` takes. */
  real(simMs: number): number;
  /** Resolves after the simulated duration, or rejects with the signal's reason when aborted. */
  sleep(simMs: number, signal?: AbortSignal): Promise<void>;
  /** setTimeout for a simulated duration; returns a cancel function. */
  after(simMs: number, fn: () => void): () => void;
  /** setInterval for a simulated period; returns a cancel function. */
  every(simMs: number, fn: () => void): () => void;
}

export function createClock(speed = 1): Clock {
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const real = (simMs: number) => Math.max(0, simMs / speed);
  return {
    speed,
    now: () => new Date(),
    real,
    sleep(simMs, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        const timer = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, real(simMs));
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    after(simMs, fn) {
      const timer = setTimeout(fn, real(simMs));
      return () => clearTimeout(timer);
    },
    every(simMs, fn) {
      const timer = setInterval(fn, Math.max(1, real(simMs)));
      return () => clearInterval(timer);
    },
  };
}
