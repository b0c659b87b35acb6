/**
 * Per-token rate limiting: a token bucket per API token. A bucket holds up to `perMinute` operations
 * and refills continuously at `perMinute` per minute, so a token may burst up to a minute's worth and
 * then runs at the configured rate.
 */

export interface Bucket {
  /** Operations left (fractional while refilling). */
  tokens: number;
  /** When `tokens` was last computed (ms). */
  at: number;
}

export type Take = { allowed: true; bucket: Bucket } | { allowed: false; bucket: Bucket; retryAfterMs: number };

/** Takes one operation from `bucket` (undefined: a full one) at `now`; pure. */
export function take(bucket: Bucket | undefined, now: number, perMinute: number): Take {
  const ratePerMs = perMinute / 60_000;
  const current = bucket ? Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs) : perMinute;
  if (current >= 1) return { allowed: true, bucket: { tokens: current - 1, at: now } };
  return { allowed: false, bucket: { tokens: current, at: now }, retryAfterMs: Math.ceil((1 - current) / ratePerMs) };
}

export interface RateLimiter {
  /** Counts one operation of `key`; when over the rate, says how long until the next one is allowed. */
  take(key: number): { allowed: true } | { allowed: false; retryAfterMs: number };
  /** Counts `count` more operations of `key` (the bucket may go below empty, down to minus a minute's worth): a penalty. */
  charge(key: number, count: number): void;
}

/** One bucket per key (API token id), in memory. `clock` returns milliseconds (tests inject it). */
export function createRateLimiter(perMinute: number, clock: () => number = Date.now): RateLimiter {
  const buckets = new Map<number, Bucket>();
  return {
    take(key) {
      const result = take(buckets.get(key), clock(), perMinute);
      buckets.set(key, result.bucket);
      return result.allowed ? { allowed: true } : { allowed: false, retryAfterMs: result.retryAfterMs };
    },
    charge(key, count) {
      const now = clock();
      const bucket = buckets.get(key);
      const current = bucket ? Math.min(perMinute, bucket.tokens + Math.max(0, now - bucket.at) * (perMinute / 60_000)) : perMinute;
      buckets.set(key, { tokens: Math.max(-perMinute, current - count), at: now });
    },
  };
}
