/**
 * The `deployment.kubernetes.io/revision` numbers, in exact int64 arithmetic as the Deployment
 * controller keeps them (strconv.ParseInt(v, 10, 64), FormatInt(max+1, 10)): a revision above
 * 2^53 must survive the round trip, so numbers here are BigInts and never JavaScript floats.
 */
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64): undefined where Go returns an error (empty, not decimal, out of range). */
export function parseInt64(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/** int64 addition that wraps as Go's does. */
export const addInt64 = (a: bigint, b: bigint): bigint => BigInt.asIntN(64, a + b);

/** deploymentutil.Revision: a missing annotation is 0; an unparsable one is an error (undefined). */
export function revisionValue(annotations: Record<string, string> | undefined, key: string): bigint | undefined {
  const v = annotations?.[key];
  return v === undefined ? 0n : parseInt64(v);
}

/** deploymentutil.MaxRevision: ReplicaSets whose revision does not parse are skipped. */
export function maxRevision(revisions: (bigint | undefined)[]): bigint {
  let max = 0n;
  for (const v of revisions) if (v !== undefined && v > max) max = v;
  return max;
}

/** A comparator on revisions (oldest first); an unparsable revision counts as 0. */
export const compareRevisions = (a: bigint | undefined, b: bigint | undefined): number => {
  const x = a ?? 0n;
  const y = b ?? 0n;
  return x < y ? -1 : x > y ? 1 : 0;
};
