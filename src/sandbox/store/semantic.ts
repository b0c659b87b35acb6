/**
 * apiequality.Semantic.DeepEqual as it matters for JSON objects: an absent field, null, "" , [] and {}
 * are all Go's zero value, so they compare equal.
 */
import { isDeepStrictEqual } from 'node:util';

const isZero = (v: unknown): boolean =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

/** A copy with zero-valued fields dropped, recursively. */
export function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(prune);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (!isZero(p)) out[k] = p;
  }
  return out;
}

export const semanticEqual = (a: unknown, b: unknown): boolean => isDeepStrictEqual(prune(a), prune(b));
