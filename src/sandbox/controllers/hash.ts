/**
 * Template hashes the way Kubernetes computes them: FNV-32a over a deterministic dump of the object
 * (Kubernetes uses spew; we use JSON with sorted keys), plus the collision count, encoded with
 * rand.SafeEncodeString (decimal digits mapped onto consonants and digits that cannot spell words).
 */

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, so equal objects always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const v = value[i];
      out += v === undefined ? 'null' : canonicalJson(v);
    }
    return `${out}]`;
  }
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = object[k];
    if (v === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(k)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

export function fnv32a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  const bytes = Buffer.from(text, 'utf8');
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** controller.ComputeHash: the pod-template-hash / controller-revision-hash of a template. */
export function computeHash(template: unknown, collisionCount?: number): string {
  let text = canonicalJson(template);
  if (collisionCount !== undefined && collisionCount !== null) {
    // Kubernetes writes the collision count's 4 little-endian bytes into the hasher.
    const buf = Buffer.alloc(4);
    buf.writeUInt32LE(collisionCount >>> 0);
    text += buf.toString('latin1');
  }
  return safeEncodeString(String(fnv32a(text)));
}
