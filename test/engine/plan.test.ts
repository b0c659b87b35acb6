import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/domain/errors.js';
import { cumulative, planBatches } from '../../src/engine/plan.js';

describe('planBatches', () => {
  it.each([
    [4, 2, [2, 2]],
    [5, 2, [3, 2]],
    [7, 3, [3, 2, 2]],
    [1, 1, [1]],
    [3, 3, [1, 1, 1]],
    [10, 4, [3, 3, 2, 2]],
    [100, 7, [15, 15, 14, 14, 14, 14, 14]],
  ])('%i instances in %i batches → %j', (n, b, plan) => {
    expect(planBatches(n, b)).toEqual(plan);
  });

  it('sizes differ by at most one, larger first, and add up for every N ≤ 30 and B ≤ N', () => {
    for (let n = 1; n <= 30; n++) {
      for (let b = 1; b <= n; b++) {
        const plan = planBatches(n, b);
        expect(plan).toHaveLength(b);
        expect(plan.reduce((a, x) => a + x, 0)).toBe(n);
        expect(Math.max(...plan) - Math.min(...plan)).toBeLessThanOrEqual(1);
        expect([...plan].sort((x, y) => y - x)).toEqual(plan);
      }
    }
  });

  it.each([
    [4, 5, 'TOO_LARGE'],
    [4, 0, 'TOO_SMALL'],
    [4, -1, 'TOO_SMALL'],
    [0, 1, 'TOO_SMALL'],
    [4, 1.5, 'TOO_SMALL'],
  ])('%i instances in %i batches is refused (%s)', (n, b, code) => {
    const err = (() => {
      try {
        planBatches(n, b);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).problems).toEqual([expect.objectContaining({ path: ['input', 'batchCount'], code })]);
  });

  it('cumulative sums the first batches', () => {
    expect(cumulative([3, 2, 2], 0)).toBe(0);
    expect(cumulative([3, 2, 2], 2)).toBe(5);
    expect(cumulative([3, 2, 2], 3)).toBe(7);
  });
});
