import { describe, expect, it } from 'vitest';
import { canonicalJson, computeHash, fnv32a, safeEncodeString } from '../../../src/sandbox/controllers/hash.js';
import { scaledValue } from '../../../src/sandbox/controllers/intstr.js';
import { milliValue, parseQuantity } from '../../../src/sandbox/controllers/quantity.js';
import { selectorMatches } from '../../../src/sandbox/controllers/labels.js';
import { simElapsedMs } from '../../../src/sandbox/controllers/pods.js';

describe('hash', () => {
  it('FNV-32a matches the reference values', () => {
    expect(fnv32a('')).toBe(0x811c9dc5);
    expect(fnv32a('a')).toBe(0xe40c292c);
    expect(fnv32a('foobar')).toBe(0xbf9cf968);
  });
  it('encodes like rand.SafeEncodeString', () => {
    expect(safeEncodeString('0123456789')).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(safeEncodeString('12')).toBe(safeEncodeString('12'));
  });
  it('is independent of key order and sensitive to content and collision count', () => {
    const a = { metadata: { labels: { app: 'x', tier: 'web' } }, spec: { containers: [{ name: 'a', image: 'nginx' }] } };
    const b = { spec: { containers: [{ image: 'nginx', name: 'a' }] }, metadata: { labels: { tier: 'web', app: 'x' } } };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(computeHash(a)).toBe(computeHash(b));
    expect(computeHash(a)).not.toBe(computeHash({ ...a, spec: { containers: [{ name: 'a', image: 'nginx:2' }] } }));
    expect(computeHash(a, 1)).not.toBe(computeHash(a));
    expect(computeHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
  });
});

describe('scaledValue (intstr.GetScaledValueFromIntOrPercent)', () => {
  it.each([
    [1, 10, true, 1],
    ['25%', 3, true, 1],
    ['25%', 3, false, 0],
    ['25%', 4, false, 1],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['50%', 5, true, 3],
    ['50%', 5, false, 2],
    ['100%', 7, false, 7],
    ['0%', 7, true, 0],
    [undefined, 7, true, 0],
  ] as const)('%s of %d (round up %s) → %d', (v, total, up, want) => {
    expect(scaledValue(v as never, total, up)).toBe(want);
  });
  it('rejects nonsense', () => expect(() => scaledValue('abc', 3, true)).toThrow());
});

describe('quantities', () => {
  it.each([
    ['100m', 0.1],
    ['1', 1],
    ['1.5', 1.5],
    ['1Ki', 1024],
    ['512Mi', 512 * 2 ** 20],
    ['1G', 1e9],
    ['2e3', 2000],
    ['junk', 0],
  ])('%s → %d', (q, want) => expect(parseQuantity(q)).toBeCloseTo(want));
  it.each([
    ['100m', 100],
    ['1', 1000],
    ['0.5', 500],
    ['1u', 1],
  ])('cpu %s → %d millicores', (q, want) => expect(milliValue(q)).toBe(want));
});

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  it.each([
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'db' } }, false],
    [{}, true],
    [undefined, false],
    [{ matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'test'] }] }, true],
    [{ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, false],
    [{ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['test'] }] }, false],
  ])('%j → %s', (sel, want) => expect(selectorMatches(sel as never, labels)).toBe(want));
});

describe('simulated time against real timestamps', () => {
  const now = new Date('2026-01-01T00:00:10.500Z');
  it.each([
    ['2026-01-01T00:00:10Z', 1, 0], // end of its second: 10.999 is after now
    ['2026-01-01T00:00:09Z', 1, 501],
    ['2026-01-01T00:00:09.000Z', 1, 1500],
    ['2026-01-01T00:00:09Z', 100, 50_100],
  ])('since %s at speed %d → %d simulated ms', (since, speed, want) => {
    expect(simElapsedMs(since, now, speed)).toBe(want);
  });
});
