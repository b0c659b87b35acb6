/**
 * The engine lease store for cairn's database: over SQLite (one file on one machine: the processes' own clock, and
 * a holder of this host that has exited is not waited out) or over PostgreSQL (several replicas: the server's clock,
 * fenced writes lock the lease row). Make it over the SAME Database as the repositories the engine writes with.
 */
import type { Database } from '../../db/database.js';
import type { LeaseStore } from './lease-store.js';
import { createPgLeaseStore } from './pg-lease-store.js';
import { createSqliteLeaseStore } from './sqlite-lease-store.js';

export function leaseStoreFor(database: Database): LeaseStore {
  return database.kind === 'postgres' ? createPgLeaseStore(database) : createSqliteLeaseStore(database);
}
