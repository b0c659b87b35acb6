/**
 * Deep copy of JSON-shaped values (what every stored object is). Several times faster than
 * structuredClone for Kubernetes objects, which matters because every read hands out a copy.
 */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = deepCopy(value[i]);
    return out as T;
  }
  if (value instanceof Date) return new Date(value.getTime()) as T;
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (Object.prototype.hasOwnProperty.call(value, k)) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = deepCopy(v);
    }
  }
  return out as T;
}
