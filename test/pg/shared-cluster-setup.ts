/**
 * vitest globalSetup (vitest.config.ts): one throwaway PostgreSQL cluster for the whole run, in which every test file
 * that asks (test/pg/pg-database.ts) gets its own fresh, empty database. It saves each file the 1–2 s of an
 * initdb and a postgres start.
 *
 * The cluster is started lazily: the setup only opens a small HTTP service on a free loopback port, given to the
 * test files as `inject('pgDatabases')`; the first file that asks for a database starts the cluster
 * (test/pg/pg-cluster.ts), so a run without PostgreSQL tests starts none.
 *
 *   POST   /databases         creates a database `file_<n>` and answers `{ url, port, database }`;
 *   DELETE /databases/<name>  drops it and the databases named `<name>_…` the file made from it (WITH (FORCE)).
 *
 * The databases are created and dropped one at a time, on one admin connection. The cluster is stopped, and its
 * directory removed, when the run ends.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startPgCluster, type PgCluster } from './pg-cluster.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The URL of the run's PostgreSQL database service (test/pg/shared-cluster-setup.ts). */
    pgDatabases: string;
  }
}

interface Shared {
  cluster: PgCluster;
  /** Connected to the `postgres` database; creates and drops the files' databases, one statement at a time. */
  admin: pg.Client;
}

const NAME = /^file_\d+$/;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let shared: Promise<Shared> | undefined;
  let made = 0;

  const start = async (): Promise<Shared> => {
    // More files than one may hold connections at the same time (workers run in parallel).
    const cluster = await startPgCluster({ database: 'cairn', settings: { max_connections: '300' } });
    try {
      const admin = new pg.Client({ connectionString: cluster.url.replace(/\/[^/]+$/, '/postgres'), connectionTimeoutMillis: 10_000, query_timeout: 60_000 });
      admin.on('error', () => undefined); // the server ending at teardown
      await admin.connect();
      return { cluster, admin };
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  };

  /** Runs `step` after the steps asked for before it (the admin connection runs one statement at a time). */
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(step: () => Promise<T>): Promise<T> => {
    const run = queue.then(step, step);
    queue = run.catch(() => undefined);
    return run;
  };

  const create = () =>
    inTurn(async () => {
      const { cluster, admin } = await (shared ??= start());
      const database = `file_${++made}`;
      await admin.query(`CREATE DATABASE ${database}`);
      return { url: cluster.url.replace(/\/[^/]+$/, `/${database}`), port: cluster.port, database };
    });

  const drop = (name: string) =>
    inTurn(async () => {
      if (!NAME.test(name)) throw new Error(`not a file's database: ${name}`);
      const { admin } = await shared!;
      const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = $1 OR starts_with(datname, $1 || '_')`, [name]);
      for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      return { dropped: rows.length };
    });

  const answer = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    try {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (request.method === 'POST' && path === '/databases') return answer(response, 200, await create());
      const match = /^\/databases\/([a-z0-9_]+)$/.exec(path);
      if (request.method === 'DELETE' && match && shared) return answer(response, 200, await drop(match[1]!));
      answer(response, 404, { error: `no such request: ${request.method} ${path}` });
    } catch (error) {
      answer(response, 500, { error: (error as Error).message });
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  project.provide('pgDatabases', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);

  return async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const started = await shared?.catch(() => null);
    if (!started) return;
    await started.admin.end().catch(() => undefined);
    await started.cluster.stop();
  };
}
