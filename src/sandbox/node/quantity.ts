/** Kubernetes resource quantities (`500m`, `2`, `128Mi`, `1G`, `1e3`) as numbers. Pure. */
const suffixes: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) throw new RangeError(`invalid quantity "${q}"`);
  const factor = suffixes[m[2]!];
  if (factor === undefined) throw new RangeError(`invalid quantity suffix "${q}"`);
  return Number(m[1]) * factor;
}

/** Memory as the kubelet reports node capacity: in Ki. */
export function toKi(q: string | number): string {
  return `${Math.round(parseQuantity(q) / 1024)}Ki`;
}
