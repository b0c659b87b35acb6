import { InvalidInputError } from '../domain/errors.js';
import { problem } from '../domain/problems.js';

/**
 * Splits `instances` into `batchCount` batches whose sizes differ by at most one, larger first:
 * 5 in 2 → [3, 2]. Refuses (InvalidInputError at `path`) fewer than one batch or more batches
 * than instances.
 */
export function planBatches(instances: number, batchCount: number, path: string[] = ['input', 'batchCount']): number[] {
  if (!Number.isInteger(instances) || instances < 1) {
    throw new InvalidInputError([problem(path, 'TOO_SMALL', `The configuration asks for ${instances} instances; a release needs at least 1.`)]);
  }
  if (!Number.isInteger(batchCount) || batchCount < 1) {
    throw new InvalidInputError([problem(path, 'TOO_SMALL', 'At least 1 batch is needed.')]);
  }
  if (batchCount > instances) {
    throw new InvalidInputError([
      problem(path, 'TOO_LARGE', `${batchCount} batches for ${instances} instance(s): a batch cannot be empty, so use at most ${instances} batches.`),
    ]);
  }
  const base = Math.floor(instances / batchCount);
  const extra = instances % batchCount;
  return Array.from({ length: batchCount }, (_, i) => base + (i < extra ? 1 : 0));
}

/** How many instances the first `batches` batches of `plan` hold together. */
export function cumulative(plan: number[], batches: number): number {
  return plan.slice(0, batches).reduce((a, b) => a + b, 0);
}
