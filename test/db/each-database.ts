/**
 * Runs a suite on every database cairn serves, with the same test code: SQLite in a temporary file (a writer and a
 * read-only reader connection), SQLite in memory (one connection) and PostgreSQL (a throwaway cluster,
 * test/pg/pg-cluster.ts). Each test opens fresh, empty, migrated databases with `target.open()`; they are closed
 * (and their files removed) after the test.
 *
 *   describeEachDatabase('releases repository', (target) => {
 *     it('…', async () => {
 *       const database = await target.open();
 *       …
 *     });
 *   });
 *
 * PostgreSQL is really used, never skipped: where its binaries are missing (`.ci/run` installs them) the PostgreSQL
 * suites fail, saying so. One database per test file (test/pg/pg-database.ts: in the run's shared cluster), asked
 * for at collection (the `starting` pattern of test/pg/pg-cluster.ts) and dropped after the file's last PostgreSQL
 * suite; it is migrated once as a template, and each `open()` creates a new database from it (a file copy, no
 * migration to run), named after it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { openDatabase, type SqliteOptions } from '../../src/db/client.js';
import type { Database } from '../../src/db/database.js';
import type { PgDatabaseOptions } from '../../src/db/pg/client.js';
import { openPostgresDatabase } from '../../src/db/pg/database.js';
import { pgMissing, type PgCluster } from '../pg/pg-cluster.js';
import { startPgDatabase } from '../pg/pg-database.js';

export type DatabaseKind = 'sqlite-file' | 'sqlite-memory' | 'postgres';
export const ALL_KINDS: readonly DatabaseKind[] = ['sqlite-file', 'sqlite-memory', 'postgres'];
export const SQLITE_KINDS: readonly DatabaseKind[] = ['sqlite-file', 'sqlite-memory'];

const LABELS: Record<DatabaseKind, string> = { 'sqlite-file': 'SQLite (file)', 'sqlite-memory': 'SQLite (:memory:)', postgres: 'PostgreSQL' };

export type OpenOptions = SqliteOptions &
  PgDatabaseOptions & {
    /** PostgreSQL only: the database's collation, an ICU locale (e.g. `en-US`, as a production server's may be) instead of the cluster's C. */
    pgIcuLocale?: string;
  };

export interface DatabaseUnderTest {
  readonly kind: DatabaseKind;
  readonly label: string;
  /** A new empty, migrated database of this kind; closed after the test. */
  open(options?: OpenOptions): Promise<Database>;
}

/** Rows of a plain SQL text (no parameters), straight from the connection: what the database holds, as a test inspects it. */
export async function rawRows<T = Record<string, unknown>>(database: Database, text: string): Promise<T[]> {
  if (database.sqlite) return database.sqlite.prepare(text).all() as T[];
  return (await database.pool!.query(text)).rows as T[];
}

/** `SELECT count(*) FROM table`, as a number. */
export async function countRows(database: Database, table: string): Promise<number> {
  return Number((await rawRows<{ n: unknown }>(database, `SELECT count(*) AS n FROM ${table}`))[0]!.n);
}

// ---- PostgreSQL: one database per test file -------------------------------------------------------------------

interface PgServer {
  /** The file's database (the template of each test's). */
  cluster: PgCluster;
  /** A connection to the `postgres` database, which creates each test's database. */
  admin: pg.Client;
  created: number;
}

let server: Promise<PgServer> | undefined;
let suites = 0;

async function startServer(): Promise<PgServer> {
  if (pgMissing) throw new Error(`The repository and database tests run on SQLite AND PostgreSQL. ${pgMissing}`);
  const cluster = await startPgDatabase();
  try {
    // Migrated once; every test's database is a copy of it.
    const template = await openPostgresDatabase(cluster.url);
    await template.close();
    const admin = new pg.Client({ connectionString: cluster.url.replace(/\/[^/]+$/, '/postgres'), connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
    await admin.connect();
    return { cluster, admin, created: 0 };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

async function stopServer(): Promise<void> {
  const started = await server?.catch(() => null);
  server = undefined;
  if (!started) return;
  await started.admin.end().catch(() => undefined);
  await started.cluster.stop();
}

async function openPg(options: OpenOptions): Promise<Database> {
  if (!server) throw new Error('the PostgreSQL cluster was not started (use describeEachDatabase)');
  const s = await server;
  const name = `${s.cluster.database}_test_${++s.created}`;
  const { pgIcuLocale, ...rest } = options;
  if (pgIcuLocale !== undefined) {
    // Another collation needs an empty template (and then its own migration).
    if (!/^[A-Za-z0-9-]+$/.test(pgIcuLocale)) throw new Error(`not an ICU locale: ${pgIcuLocale}`);
    await s.admin.query(`CREATE DATABASE ${name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '${pgIcuLocale}' LOCALE 'C'`);
  } else {
    await s.admin.query(`CREATE DATABASE ${name} TEMPLATE ${s.cluster.database}`);
  }
  return openPostgresDatabase(s.cluster.url.replace(/\/[^/]+$/, `/${name}`), rest);
}

// ---- the suites -----------------------------------------------------------------------------------------------

/** Runs `suite` once per kind of database, each in a describe block named `name on <database>`. */
export function describeEachDatabase(name: string, suite: (target: DatabaseUnderTest) => void, kinds: readonly DatabaseKind[] = ALL_KINDS): void {
  for (const kind of kinds) {
    describe(`${name} on ${LABELS[kind]}`, () => {
      const opened: Database[] = [];
      const dirs: string[] = [];
      if (kind === 'postgres') {
        // Started at collection, awaited here; stopped after the file's last PostgreSQL suite, even when it ended after the hook gave up.
        const starting = (server ??= startServer());
        starting.catch(() => undefined); // handled: open() reports it
        suites += 1;
        // Waits for the start here, within the hook's time; a start that failed fails every test of the suite
        // (through open()) with its reason — reported as failures, not as tests skipped after a failed hook.
        beforeAll(() => starting.then(() => undefined, () => undefined), 120_000);
        afterAll(async () => {
          suites -= 1;
          if (suites === 0) await stopServer();
        }, 30_000);
      }
      afterEach(async () => {
        for (const d of opened.splice(0)) await d.close();
        for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      });
      suite({
        kind,
        label: LABELS[kind],
        async open(options = {}) {
          let database: Database;
          if (kind === 'postgres') database = await openPg(options);
          else if (kind === 'sqlite-memory') database = openDatabase(':memory:', options);
          else {
            const dir = mkdtempSync(join(tmpdir(), 'cairn-db-'));
            dirs.push(dir);
            database = openDatabase(join(dir, 'cairn.db'), options);
          }
          opened.push(database);
          return database;
        },
      });
    });
  }
}
