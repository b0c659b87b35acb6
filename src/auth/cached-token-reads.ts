import type { TokensRepository } from '../db/tokens-repository.js';

/** What authenticating a request reads: the token by its secret's hash, then its roles. */
export type TokenReads = Pick<TokensRepository, 'bySecretHash' | 'grantsOf'>;

export interface CachedTokenReadsOptions {
  /** The data version (moves with every database write this process makes or hears of); null when it cannot be told. */
  version(): string | null;
  /** The longest a read is served again (0: never cached). */
  maxAgeMs: number;
  /** Reads kept at most, of each kind (oldest dropped first; default 1 000). */
  maxEntries?: number;
  now?: () => number;
}

interface Kept<T> {
  at: number;
  value: T;
}

/**
 * The token reads of authentication, served again while the data version has not moved and they are younger
 * than `maxAgeMs`: a console polled by many browsers does not read its token and roles for every request. The
 * version moves with every write (a revocation, a role change, a new token) — on SQLite at the write itself, on
 * PostgreSQL when its notification arrives, as for the answers of the response cache — so a changed token is
 * read again; expiry is still judged on every request (src/auth/authenticate.ts), from the row.
 */
export function cachedTokenReads(tokens: TokenReads, options: CachedTokenReadsOptions): TokenReads {
  const { maxAgeMs, maxEntries = 1_000, now = Date.now } = options;
  if (maxAgeMs <= 0) return tokens;
  let keptAt: string | null = null;
  const bySecret = new Map<string, Kept<Awaited<ReturnType<TokenReads['bySecretHash']>>>>();
  const grants = new Map<number, Kept<Awaited<ReturnType<TokenReads['grantsOf']>>>>();

  /** The version now, after dropping what was kept at another one; null when it cannot be told. */
  const current = (): string | null => {
    let version: string | null;
    try {
      version = options.version();
    } catch {
      version = null;
    }
    if (version !== keptAt) {
      bySecret.clear();
      grants.clear();
      keptAt = version;
    }
    return version;
  };

  async function cached<K, T>(kept: Map<K, Kept<T>>, key: K, read: () => Promise<T>): Promise<T> {
    const version = current();
    const hit = version === null ? undefined : kept.get(key);
    if (hit && now() - hit.at <= maxAgeMs) return hit.value;
    const at = now();
    const value = await read();
    // Kept only when nothing was written while it was read.
    if (version !== null && current() === version) {
      kept.delete(key);
      kept.set(key, { at, value });
      if (kept.size > maxEntries) kept.delete(kept.keys().next().value!);
    }
    return value;
  }

  return {
    bySecretHash: (secretHash) => cached(bySecret, secretHash, () => tokens.bySecretHash(secretHash)),
    grantsOf: (tokenId) => cached(grants, tokenId, () => tokens.grantsOf(tokenId)),
  };
}
