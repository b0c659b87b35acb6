/**
 * src/db/pg/client.ts on a real PostgreSQL server: the pool migrates at open, every wait is bounded
 * (connecting, a statement), bigints read back as numbers the way SQLite gives them, and secret env
 * values go through the PostgreSQL schema encrypted exactly as through SQLite's (src/domain/secret-values.ts
 * with src/secrets/cipher.ts): only ciphertext is stored, the key reads it back, another key cannot.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgDatabase, type OpenPgDatabase } from '../../src/db/pg/client.js';
import { MIGRATION_LOCK } from '../../src/db/pg/migrate.js';
import { apps, deploymentConfigs, environments } from '../../src/db/pg/tables.js';
import { openRow, sealSettings } from '../../src/domain/secret-values.js';
import { createCipher, ENCRYPTED_PREFIX, randomKey, SecretDecryptionError } from '../../src/secrets/cipher.js';
import { secretValue, settingsWith } from '../secrets/helpers.js';
import type { PgCluster } from '../pg/pg-cluster.js';
import { startPgDatabase } from '../pg/pg-database.js';

describe('the PostgreSQL client', () => {
  // Started at collection, awaited by beforeAll and stopped by afterAll even if it ends after the hook gave up
  // (test/pg/pg-database.ts); its deadline (90 s) is below the hook's.
  const starting = startPgDatabase();
  starting.catch(() => undefined); // a failure is reported by beforeAll
  let cluster: PgCluster;
  let database: OpenPgDatabase;
  beforeAll(async () => {
    cluster = await starting;
    database = await openPgDatabase(cluster.url, { statementTimeoutMs: 500 });
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await (await starting.catch(() => null))?.stop();
  });

  it('opens migrated; bigints (count, times) read back as numbers, as from SQLite', async () => {
    const { rows } = await database.pool.query<{ n: unknown; t: unknown }>(`SELECT count(*) AS n, 1764000000123::bigint AS t FROM apps`);
    expect(rows).toEqual([{ n: 0, t: 1764000000123 }]);
    await expect(database.pool.query(`SELECT 9007199254740993::bigint AS big`)).rejects.toThrow(/beyond JavaScript's safe integers/);
  });

  it('a statement that runs too long is cancelled by the server', async () => {
    const started = Date.now();
    await expect(database.pool.query('SELECT pg_sleep(5)')).rejects.toThrow(/statement timeout/);
    expect(Date.now() - started).toBeLessThan(4_000);
    expect((await database.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]); // the pool goes on
  });

  /** Another session holds the migration lock (as a replica migrating would) until `release()`. */
  async function holdMigrationLock() {
    const holder = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 5_000, query_timeout: 5_000 });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    let released: Promise<void> | undefined;
    return {
      /** Resolves once a session other than the holder waits for the lock (seen in pg_locks). */
      async waiter() {
        for (;;) {
          const { rows } = await holder.query<{ n: number }>(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`);
          if (Number(rows[0]!.n) > 0) return;
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      release: () => (released ??= holder.end()),
    };
  }

  it('waits for another replica\'s migration longer than a statement may run, up to migrateTimeoutMs', async () => {
    const lock = await holdMigrationLock();
    try {
      const opening = openPgDatabase(cluster.url, { statementTimeoutMs: 300, migrateTimeoutMs: 20_000 });
      opening.catch(() => undefined);
      await lock.waiter();
      // Held well past the pool's statement timeout (300 ms) and its client timeout (1.3 s): the migration wait is not cut by them.
      await new Promise((r) => setTimeout(r, 2_500));
      await lock.release();
      const opened = await opening;
      expect((await opened.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await opened.close();
    } finally {
      await lock.release();
    }
  });

  it('gives up waiting for the migration lock after migrateTimeoutMs, saying so', async () => {
    const lock = await holdMigrationLock();
    try {
      await expect(openPgDatabase(cluster.url, { statementTimeoutMs: 300, migrateTimeoutMs: 1_000 })).rejects.toMatchObject({
        name: 'PgMigrationTimeoutError',
        code: 'MIGRATION_TIMEOUT',
        message: expect.stringMatching(/waited 1000 ms for the migration lock/),
      });
    } finally {
      await lock.release();
    }
  });

  it('connecting to a server that never answers fails within the connect timeout', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => void sockets.push(s)); // accepts, then says nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      await expect(openPgDatabase(`postgres://cairn@127.0.0.1:${port}/cairn`, { connectTimeoutMs: 300 })).rejects.toThrow(/timeout/i);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('stores secret env values encrypted with the same cipher as SQLite, and reads them back in plain text', async () => {
    const { db } = database;
    const cipher = createCipher(randomKey());
    const secret = secretValue('pg');
    const env = [
      { name: 'DB_PASSWORD', value: secret, secret: true },
      { name: 'LOG_LEVEL', value: 'debug', secret: false },
    ];
    const now = new Date('2026-12-07T00:15:00.123Z');
    const [app] = await db.insert(apps).values({ name: 'shop', businessType: 'ERP', appType: 'STATELESS', deployMethod: 'CONTAINER', createdAt: now, updatedAt: now }).returning();
    const [environment] = await db.insert(environments).values({ appId: app!.id, kind: 'TEST', cluster: 'alpha', namespace: 'cairn-shop', createdAt: now }).returning();
    const [written] = await db
      .insert(deploymentConfigs)
      .values({ environmentId: environment!.id, imageTag: '1.25', settings: sealSettings(cipher, settingsWith(env)), updatedAt: now })
      .returning();

    // As stored: ciphertext only, the plain value readable.
    const raw = (await database.pool.query<{ settings: string; updated_at: number }>('SELECT settings::text AS settings, updated_at FROM deployment_configs WHERE id = $1', [written!.id])).rows[0]!;
    expect(raw.settings).not.toContain(secret);
    expect(raw.updated_at).toBe(now.getTime()); // the same Unix milliseconds SQLite stores
    const stored = JSON.parse(raw.settings) as { env: Array<{ name: string; value: string; secret: boolean }> };
    expect(stored.env[0]!.value.startsWith(ENCRYPTED_PREFIX)).toBe(true);
    expect(stored.env[1]).toEqual({ name: 'LOG_LEVEL', value: 'debug', secret: false });

    // As read: the same row types as from SQLite, decrypted by the same function.
    const [row] = await db.select().from(deploymentConfigs).where(eq(deploymentConfigs.environmentId, environment!.id));
    expect(row!.updatedAt).toEqual(now);
    expect(openRow(cipher, row!).settings).toEqual(settingsWith(env));
    expect(() => openRow(createCipher(randomKey()), row!)).toThrow(SecretDecryptionError);

    // What src/secrets/stored.ts asks SQLite with json_each, PostgreSQL answers with a JSON path over jsonb.
    const encrypted = await db
      .select({ value: sql<string>`jsonb_path_query_first(${deploymentConfigs.settings}, '$.env[*] ? (@.secret == true && @.value starts with "enc:").value') #>> '{}'` })
      .from(deploymentConfigs)
      .where(sql`jsonb_path_exists(${deploymentConfigs.settings}, '$.env[*] ? (@.secret == true && @.value starts with "enc:")')`);
    expect(encrypted).toEqual([{ value: stored.env[0]!.value }]);
    expect(cipher.decrypt(encrypted[0]!.value)).toBe(secret);
  });
});
