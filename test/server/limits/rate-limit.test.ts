import { describe, expect, it } from 'vitest';
import { createRateLimiter, take } from '../../../src/server/limits/rate-limit.js';

describe('take (token bucket, pure)', () => {
  it.each([
    // bucket, now, perMinute → allowed, tokens left, retryAfterMs
    { name: 'a new key starts full', bucket: undefined, now: 0, perMinute: 60, allowed: true, tokens: 59 },
    { name: 'an empty bucket refuses and says when one is back', bucket: { tokens: 0, at: 0 }, now: 0, perMinute: 60, allowed: false, tokens: 0, retryAfterMs: 1000 },
    { name: 'half a token refilled: the other half is missing', bucket: { tokens: 0, at: 0 }, now: 500, perMinute: 60, allowed: false, tokens: 0.5, retryAfterMs: 500 },
    { name: 'a full token refilled after 1/perMinute of a minute', bucket: { tokens: 0, at: 0 }, now: 1000, perMinute: 60, allowed: true, tokens: 0 },
    { name: 'refills no higher than a minute of operations', bucket: { tokens: 0, at: 0 }, now: 3_600_000, perMinute: 60, allowed: true, tokens: 59 },
    { name: 'a clock going backwards refills nothing', bucket: { tokens: 0.5, at: 10_000 }, now: 5000, perMinute: 60, allowed: false, tokens: 0.5, retryAfterMs: 500 },
  ])('$name', ({ bucket, now, perMinute, allowed, tokens, retryAfterMs }) => {
    const result = take(bucket, now, perMinute);
    expect(result.allowed).toBe(allowed);
    expect(result.bucket.tokens).toBeCloseTo(tokens, 9);
    expect(result.bucket.at).toBe(now);
    if (!result.allowed) expect(result.retryAfterMs).toBe(retryAfterMs);
  });
});

describe('createRateLimiter', () => {
  it('lets a token burst a minute of operations, then one per 60/perMinute s; keys are independent', () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(3, () => now);
    expect([1, 2, 3, 4].map(() => limiter.take(7).allowed)).toEqual([true, true, true, false]);
    expect(limiter.take(7)).toEqual({ allowed: false, retryAfterMs: 20_000 });
    // Another token is not affected.
    expect(limiter.take(8).allowed).toBe(true);
    now += 19_999;
    expect(limiter.take(7).allowed).toBe(false);
    now += 1;
    expect(limiter.take(7).allowed).toBe(true);
    expect(limiter.take(7).allowed).toBe(false);
  });
});

describe('charge', () => {
  it('counts more operations at once; the bucket may go below empty (down to minus a minute) and refills from there', () => {
    let now = 1_000_000;
    const limiter = createRateLimiter(60, () => now);
    limiter.take(1);
    limiter.charge(1, 9);
    // 60 - 10 = 50 left.
    expect(Array.from({ length: 51 }, () => limiter.take(1).allowed).filter(Boolean)).toHaveLength(50);
    limiter.charge(1, 1000);
    // At most a minute below empty: -60 needs 61 s to reach one operation.
    expect(limiter.take(1)).toEqual({ allowed: false, retryAfterMs: 61_000 });
    now += 61_000;
    expect(limiter.take(1).allowed).toBe(true);
    expect(limiter.take(2).allowed).toBe(true);
  });
});
