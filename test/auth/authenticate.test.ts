import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authenticate, AuthenticationError, bearerToken } from '../../src/auth/authenticate.js';
import { ensureAdminToken } from '../../src/auth/bootstrap.js';
import { loadConfig } from '../../src/config.js';
import { mayActOnApp, roleIncludes, type Viewer } from '../../src/auth/roles.js';
import { hashTokenSecret, newTokenSecret } from '../../src/auth/secret.js';
import { issueToken } from '../../src/auth/tokens.js';
import { openDatabase } from '../../src/db/client.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { memoryLogger } from '../server/helpers.js';

const fresh = () => createRepositories(openDatabase(':memory:'), { cipher: createCipher(randomKey()) });
const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AuthenticationError) return error.reason;
    throw error;
  }
  return 'none';
};
/** The reason `authenticate` refuses with ('none' when it accepts). */
const refusal = async (viewer: Promise<unknown>) => {
  try {
    await viewer;
  } catch (error) {
    if (error instanceof AuthenticationError) return error.reason;
    throw error;
  }
  return 'none';
};

describe('bearerToken', () => {
  it.each([
    [null, 'MISSING'],
    ['', 'MISSING'],
    ['   ', 'MISSING'],
    ['Basic dXNlcjpwYXNz', 'MALFORMED'],
    ['Bearer', 'MALFORMED'],
    ['Bearer a b', 'MALFORMED'],
  ])('refuses %j (%s)', (header, reason) => {
    expect(reasonOf(() => bearerToken(header))).toBe(reason);
  });

  it('takes the token of "Bearer <token>", in any case of the scheme', () => {
    expect(bearerToken('Bearer cairn_abc')).toBe('cairn_abc');
    expect(bearerToken('bearer   cairn_abc ')).toBe('cairn_abc');
  });
});

describe('authenticate', () => {
  it('knows a token only by its secret, stored hashed', async () => {
    const repos = fresh();
    const { token, secret } = await issueToken(repos, { name: 'ci', admin: false, grants: [], expiresAt: null }, 'test', new Date());
    expect(token.secretHash).toBe(hashTokenSecret(secret));
    expect(JSON.stringify(token)).not.toContain(secret);
    expect(await authenticate(repos.tokens, secret, new Date())).toMatchObject({ tokenId: token.id, name: 'ci', admin: false });
    expect(await refusal(authenticate(repos.tokens, newTokenSecret(), new Date()))).toBe('UNKNOWN');
    expect(await refusal(authenticate(repos.tokens, 'not-a-cairn-token', new Date()))).toBe('UNKNOWN');
  });

  it('refuses a revoked token, and an expired one from its expiry on', async () => {
    const repos = fresh();
    const now = new Date('2026-11-25T12:00:00Z');
    const expiresAt = new Date('2026-11-25T13:00:00Z');
    const revoked = await issueToken(repos, { name: 'old', admin: true, grants: [], expiresAt: null }, 'test', now);
    await repos.tokens.revoke(revoked.token.id, now);
    expect(await refusal(authenticate(repos.tokens, revoked.secret, now))).toBe('REVOKED');
    const expiring = await issueToken(repos, { name: 'brief', admin: true, grants: [], expiresAt }, 'test', now);
    expect((await authenticate(repos.tokens, expiring.secret, new Date(expiresAt.getTime() - 1))).name).toBe('brief');
    expect(await refusal(authenticate(repos.tokens, expiring.secret, expiresAt))).toBe('EXPIRED');
  });
});

describe('roles', () => {
  const viewer = (admin: boolean, roles: [number, 'VIEWER' | 'DEPLOYER' | 'OWNER'][]): Viewer => ({ tokenId: 1, name: 't', admin, roles: new Map(roles) });

  it.each([
    ['OWNER', 'OWNER', true],
    ['OWNER', 'DEPLOYER', true],
    ['OWNER', 'VIEWER', true],
    ['DEPLOYER', 'OWNER', false],
    ['DEPLOYER', 'DEPLOYER', true],
    ['DEPLOYER', 'VIEWER', true],
    ['VIEWER', 'DEPLOYER', false],
    ['VIEWER', 'VIEWER', true],
  ] as const)('%s includes %s: %s', (held, needed, expected) => {
    expect(roleIncludes(held, needed)).toBe(expected);
  });

  it('admins act on every app; others only where they hold the role; nobody without a viewer', () => {
    expect(mayActOnApp(viewer(true, []), 7, 'OWNER')).toBe(true);
    expect(mayActOnApp(viewer(false, [[7, 'DEPLOYER']]), 7, 'DEPLOYER')).toBe(true);
    expect(mayActOnApp(viewer(false, [[7, 'DEPLOYER']]), 7, 'OWNER')).toBe(false);
    expect(mayActOnApp(viewer(false, [[7, 'OWNER']]), 8, 'VIEWER')).toBe(false);
    expect(mayActOnApp(undefined, 7, 'VIEWER')).toBe(false);
  });
});

describe('the first start', () => {
  it('creates the admin token once, in a file only its owner can read, and logs where (never the token)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-bootstrap-'));
    const repos = fresh();
    const logs = memoryLogger();
    const config = { databasePath: join(dir, 'cairn.db'), adminTokenFile: undefined };
    const file = await ensureAdminToken(repos, config, logs.logger, new Date());
    expect(file).toBe(join(dir, 'admin-token'));
    expect(statSync(file!).mode & 0o777).toBe(0o600);
    const secret = readFileSync(file!, 'utf8').trim();
    expect(await authenticate(repos.tokens, secret, new Date())).toMatchObject({ name: 'admin', admin: true });
    expect(logs.text()).toContain(file!);
    expect(logs.text()).not.toContain(secret);
    // A second start finds a token and writes nothing.
    expect(await ensureAdminToken(repos, config, logs.logger, new Date())).toBeNull();
    expect(await repos.tokens.count()).toBe(1);
  });

  it('takes the secret given in CAIRN_ADMIN_TOKEN on the first start, writes no file, and ignores it later', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-bootstrap-'));
    const repos = fresh();
    const logs = memoryLogger();
    const given = 'cairn_operator-chosen-secret-0123456789abcdefghijklmnop';
    const config = { databasePath: join(dir, 'cairn.db'), adminTokenFile: undefined, adminToken: given };
    expect(await ensureAdminToken(repos, config, logs.logger, new Date())).toBeNull();
    expect(existsSync(join(dir, 'admin-token'))).toBe(false);
    expect(await authenticate(repos.tokens, given, new Date())).toMatchObject({ name: 'admin', admin: true });
    expect(logs.text()).not.toContain(given);
    // A later start (tokens exist) creates nothing, whatever the variable says.
    expect(await ensureAdminToken(repos, { ...config, adminToken: 'cairn_another-secret-that-is-long-enough-0123456789abcdef' }, logs.logger, new Date())).toBeNull();
    expect(await repos.tokens.count()).toBe(1);
  });

  it('refuses a CAIRN_ADMIN_TOKEN that is short, has spaces or lacks the cairn_ prefix, naming the setting', () => {
    expect(() => loadConfig({ CAIRN_ADMIN_TOKEN: 'cairn_short' })).toThrow(/adminToken/);
    expect(() => loadConfig({ CAIRN_ADMIN_TOKEN: 'cairn_has a space in it but is long enough 0123' })).toThrow(/adminToken/);
    expect(() => loadConfig({ CAIRN_ADMIN_TOKEN: 'x'.repeat(60) })).toThrow(/adminToken/);
    expect(() => loadConfig({ CAIRN_ADMIN_TOKEN: `cairn_${'a'.repeat(50)}` })).toThrow(/Not random enough/);
    const hex = 'cairn_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
    expect(loadConfig({ CAIRN_ADMIN_TOKEN: hex }).adminToken).toBe(hex);
    // The bound is 10 different characters: `openssl rand -hex 32` (64 hex digits) often misses one of the 16.
    const nine = `cairn_${'012345678'.repeat(6)}`;
    const ten = `cairn_${'0123456789'.repeat(5)}`;
    expect(() => loadConfig({ CAIRN_ADMIN_TOKEN: nine })).toThrow(/at least 10 different characters/);
    expect(loadConfig({ CAIRN_ADMIN_TOKEN: ten }).adminToken).toBe(ten);
    const missingOneHexDigit = `cairn_${'0123456789abcde'.repeat(5)}`; // 75 hex digits, never an f
    expect(loadConfig({ CAIRN_ADMIN_TOKEN: missingOneHexDigit }).adminToken).toBe(missingOneHexDigit);
  });

  it('writes to CAIRN_ADMIN_TOKEN_FILE when it is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-bootstrap-'));
    const file = await ensureAdminToken(fresh(), { databasePath: ':memory:', adminTokenFile: join(dir, 'keys', 'admin.txt') }, memoryLogger().logger, new Date());
    expect(file).toBe(join(dir, 'keys', 'admin.txt'));
    expect(statSync(file!).mode & 0o777).toBe(0o600);
  });
});
