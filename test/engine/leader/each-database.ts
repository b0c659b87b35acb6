/**
 * The lease tests' databases: every suite written with `eachDatabase` runs once on SQLite (a temporary file) and
 * once on PostgreSQL (a database of the file's own in the run's shared cluster, test/pg/pg-database.ts). Each test
 * gets a fresh, empty database (SQLite: a new file; PostgreSQL: a new database named after the file's); `another`
 * opens a second handle on the same data, as a second cairn process would (SQLite: another connection pair on the
 * file; PostgreSQL: another pool). Everything opened is closed after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { openDatabase } from '../../../src/db/client.js';
import type { Database } from '../../../src/db/database.js';
import type { PgDb } from '../../../src/db/pg/client.js';
import { openPostgresDatabase } from '../../../src/db/pg/database.js';
import { createPgLeaseStore, type PgLeaseStoreOptions } from '../../../src/engine/leader/pg-lease-store.js';
import type { LeaseStore } from '../../../src/engine/leader/lease-store.js';
import { leaseStoreFor } from '../../../src/engine/leader/lease-store-for.js';
import type { PgCluster } from '../../pg/pg-cluster.js';
import { startPgDatabase } from '../../pg/pg-database.js';

export interface DatabaseUnderTest {
  kind: 'sqlite' | 'postgres';
  /** A fresh, empty (migrated) database, with a `probe (n integer)` table for the fenced writes to write to. */
  fresh(): Promise<Database>;
  /** Another handle on the same data as `database` (another process's connections). */
  another(database: Database): Promise<Database>;
  /** Where `database` lives: its file or URL (for a racer process). */
  location(database: Database): string;
  /** The lease store of this kind over `database` (leaseStoreFor; with options, PostgreSQL's store with them). */
  leaseStore(database: Database, options?: PgLeaseStoreOptions): LeaseStore;
  /** Runs `stop` after the test, before its databases close (last deferred, first run). */
  defer(stop: () => Promise<unknown> | unknown): void;
}

/** The after-test steps of one suite: the deferred stops (newest first), then closing what was opened. */
function cleanup(close: () => Promise<void>) {
  const stops: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await close();
  });
  return (stop: () => Promise<unknown> | unknown) => void stops.push(stop);
}

/** Writes `n` to the probe table, in the flow's transaction when one is open. */
export function writeProbe(database: Database, n: number): Promise<unknown> {
  const insert = sql`INSERT INTO probe (n) VALUES (${n})`;
  // better-sqlite3's drizzle answers at once (no promise); node-postgres's answers a promise.
  return database.write(async (db) => (database.kind === 'sqlite' ? db.run(insert) : (db as unknown as PgDb).execute(insert)));
}

/** The probe table's values, in the order written. */
export async function probes(database: Database): Promise<number[]> {
  const select = sql`SELECT n FROM probe ORDER BY n`;
  if (database.kind === 'sqlite') return (await database.read(async (db) => db.all<{ n: number }>(select))).map((r) => r.n);
  const result = await database.read((db) => (db as unknown as PgDb).execute<{ n: number }>(select));
  return result.rows.map((r) => r.n);
}

/** Polls `probe` (every 20 ms) until it answers something other than undefined; fails after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const PROBE = 'CREATE TABLE probe (n integer NOT NULL)';

function sqliteUnderTest(): DatabaseUnderTest {
  const dirs: string[] = [];
  const opened: Database[] = [];
  const paths = new Map<Database, string>();
  const defer = cleanup(async () => {
    for (const d of opened.splice(0)) await d.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const open = (path: string) => {
    const database = openDatabase(path);
    opened.push(database);
    paths.set(database, path);
    return database;
  };
  return {
    kind: 'sqlite',
    async fresh() {
      const dir = mkdtempSync(join(tmpdir(), 'cairn-lease-'));
      dirs.push(dir);
      const database = open(join(dir, 'cairn.db'));
      database.sqlite!.exec(PROBE);
      return database;
    },
    another: async (database) => open(paths.get(database)!),
    location: (database) => paths.get(database)!,
    leaseStore: (database) => leaseStoreFor(database),
    defer,
  };
}

function postgresUnderTest(cluster: () => PgCluster): DatabaseUnderTest {
  const opened: Database[] = [];
  const urls = new Map<Database, string>();
  let made = 0;
  const defer = cleanup(async () => {
    for (const d of opened.splice(0)) await d.close();
  });
  const open = async (url: string) => {
    const database = await openPostgresDatabase(url, { maxConnections: 4 });
    opened.push(database);
    urls.set(database, url);
    return database;
  };
  return {
    kind: 'postgres',
    async fresh() {
      const name = `${cluster().database}_lease_${++made}`;
      const admin = new pg.Client({ connectionString: cluster().url, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const database = await open(cluster().url.replace(/\/[^/]+$/, `/${name}`));
      await database.pool!.query(PROBE);
      return database;
    },
    another: (database) => open(urls.get(database)!),
    location: (database) => urls.get(database)!,
    leaseStore: (database, options) => (options ? createPgLeaseStore(database, options) : leaseStoreFor(database)),
    defer,
  };
}

/**
 * Declares the suite `body` twice: on SQLite, then on PostgreSQL. Where PostgreSQL is not installed its suite
 * fails with the reason (test/pg/pg-cluster.ts): the same tests must pass on both databases.
 */
export function eachDatabase(name: string, body: (under: DatabaseUnderTest) => void): void {
  describe(`${name} (SQLite)`, () => body(sqliteUnderTest()));
  describe(`${name} (PostgreSQL)`, () => {
    // Started at collection, awaited by beforeAll, stopped by afterAll even if it ends after the hook gave up.
    const starting = startPgDatabase();
    starting.catch(() => undefined); // a failure is reported by beforeAll
    let cluster: PgCluster | null = null;
    beforeAll(async () => {
      cluster = await starting;
    }, 120_000);
    afterAll(async () => (await starting.catch(() => null))?.stop());
    body(postgresUnderTest(() => cluster!));
  });
}
