/**
 * A fresh, empty PostgreSQL database for one test file: in the run's shared cluster when vitest.config.ts's
 * globalSetup gives one (test/pg/shared-cluster-setup.ts), else on a throwaway cluster of its own
 * (test/pg/pg-cluster.ts; e.g. under vitest.k8s.config.ts). Either way the answer is a `PgCluster` — its url names a
 * database nothing else uses — and `stop()` ends it: the shared cluster drops the database (and the databases
 * named `<database>_…` the file created from it), an own cluster stops. Used as startPgCluster is:
 *
 *   const starting = startPgDatabase();
 *   starting.catch(() => undefined);
 *   beforeAll(() => starting, 120_000);
 *   afterAll(async () => (await starting.catch(() => null))?.stop());
 *
 * Files that stop, freeze or kill the PostgreSQL server, or depend on its whole-cluster state, keep their own cluster
 * (startPgCluster): test/pg/pg-cluster.test.ts, test/pg/replicas-notifications.test.ts.
 */
import { inject } from 'vitest';
import { pgMissing, startPgCluster, type PgCluster } from './pg-cluster.js';

/** Below the 120 s the callers give their beforeAll: the first request waits for the cluster's start (60 s at most). */
const REQUEST_MS = 90_000;

async function request(url: string, method: 'POST' | 'DELETE'): Promise<unknown> {
  const response = await fetch(url, { method, signal: AbortSignal.timeout(REQUEST_MS) });
  const body = (await response.json()) as { error?: string };
  if (!response.ok) throw new Error(`the run's PostgreSQL (test/pg/shared-cluster-setup.ts): ${body.error ?? response.status}`);
  return body;
}

/** A new empty database; see the file's comment. */
export async function startPgDatabase(): Promise<PgCluster> {
  const service = inject('pgDatabases');
  if (!service) return startPgCluster();
  if (pgMissing) throw new Error(pgMissing);
  const { url, port, database } = (await request(`${service}/databases`, 'POST')) as { url: string; port: number; database: string };
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    database,
    log: () => `(the run's shared cluster: its log is not kept per file)`,
    stop: () => (stopped ??= request(`${service}/databases/${database}`, 'DELETE').then(() => undefined)),
  };
}
