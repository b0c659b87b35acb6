/**
 * cachedTokenReads: authentication's reads are served again while the data version holds and they are young
 * enough; a moved version (a write, even one that was still open while a read was made), an old read, or
 * no version at all reads the database again.
 */
import { describe, expect, it } from 'vitest';
import { cachedTokenReads, type TokenReads } from '../../src/auth/cached-token-reads.js';
import type { ApiTokenRow } from '../../src/db/auth-tables.js';

function setup(maxAgeMs = 1_000) {
  let version: string | null = 'v1';
  let clock = 0;
  const reads = { token: 0, grants: 0 };
  let revoked = false;
  let duringRead: (() => void) | undefined;
  const tokens: TokenReads = {
    bySecretHash: async (hash) => {
      reads.token += 1;
      duringRead?.();
      return hash === 'known' ? ({ id: 7, name: 't', revokedAt: revoked ? new Date(0) : null } as ApiTokenRow) : undefined;
    },
    grantsOf: async (tokenId) => {
      reads.grants += 1;
      return [{ tokenId, appId: 1, role: 'VIEWER', createdAt: new Date(0) }] as Awaited<ReturnType<TokenReads['grantsOf']>>;
    },
  };
  const cached = cachedTokenReads(tokens, { version: () => version, maxAgeMs, now: () => clock });
  return {
    cached,
    reads,
    setVersion: (v: string | null) => (version = v),
    tick: (ms: number) => (clock += ms),
    revoke: () => (revoked = true),
    whileReading: (fn: () => void) => (duringRead = fn),
  };
}

describe('cachedTokenReads', () => {
  it('reads a token and its roles once while nothing was written', async () => {
    const c = setup();
    for (let i = 0; i < 3; i++) {
      expect((await c.cached.bySecretHash('known'))?.id).toBe(7);
      expect(await c.cached.grantsOf(7)).toHaveLength(1);
      expect(await c.cached.bySecretHash('unknown')).toBeUndefined();
    }
    expect(c.reads).toEqual({ token: 2, grants: 1 });
  });

  it('reads again once a write moved the version (a revocation is seen at once)', async () => {
    const c = setup();
    expect((await c.cached.bySecretHash('known'))?.revokedAt).toBeNull();
    c.revoke();
    c.setVersion('v2');
    expect((await c.cached.bySecretHash('known'))?.revokedAt).toEqual(new Date(0));
    expect(c.reads.token).toBe(2);
  });

  it('does not keep a read during which the version moved', async () => {
    const c = setup();
    c.whileReading(() => c.setVersion('v2')); // a write ended while the token was read
    await c.cached.bySecretHash('known');
    c.whileReading(() => {});
    await c.cached.bySecretHash('known');
    await c.cached.bySecretHash('known');
    expect(c.reads.token).toBe(2);
  });

  it('reads again after maxAgeMs, and always when the version cannot be told or caching is off', async () => {
    const c = setup();
    await c.cached.bySecretHash('known');
    c.tick(1_001);
    await c.cached.bySecretHash('known');
    expect(c.reads.token).toBe(2);
    c.setVersion(null);
    await c.cached.bySecretHash('known');
    await c.cached.bySecretHash('known');
    expect(c.reads.token).toBe(4);
    const off = setup(0);
    await off.cached.grantsOf(7);
    await off.cached.grantsOf(7);
    expect(off.reads.grants).toBe(2);
  });
});
