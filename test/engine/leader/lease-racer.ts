/**
 * One racer for the lease store test, run as its own process: `node --import tsx lease-racer.ts <db> <holder> <startAt> <ms> <ttlMs>`,
 * where <db> is a SQLite file or a postgres:// URL. From `startAt` (epoch ms) for `ms`, competes for the lease as
 * fast as it can on its own connections; after a win it sometimes stalls past the ttl, so the other racer takes
 * over. Prints every term it won and renewed, as JSON. On PostgreSQL the lease's clock is the server's.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../../src/db/client.js';
import type { Database } from '../../../src/db/database.js';
import { openPostgresDatabase } from '../../../src/db/pg/database.js';
import { leaseStoreFor } from '../../../src/engine/leader/lease-store-for.js';

const [location, holder, startAt, ms, ttl] = process.argv.slice(2) as [string, string, string, string, string];
const postgres = location.startsWith('postgres://');
const database: Database = postgres ? await openPostgresDatabase(location, { maxConnections: 2 }) : openDatabase(location);
const store = leaseStoreFor(database);
const ttlMs = Number(ttl);
const wins: { epoch: number; at: number }[] = [];
const renewals: number[] = [];
let held: number | null = null;
await sleep(Math.max(0, Number(startAt) - Date.now()));
const end = Date.now() + Number(ms);
while (Date.now() < end) {
  const state = await store.acquireOrRenew(holder, ttlMs, new Date(), held);
  if (state.leader && state.decision === 'ACQUIRE') wins.push({ epoch: state.epoch, at: Date.now() });
  if (state.leader && state.decision === 'RENEW') renewals.push(state.epoch);
  held = state.leader ? state.epoch : null;
  // A leader stalls now and then past its ttl (a pause): the other racer takes over.
  if (held !== null && Math.random() < 0.2) await sleep(ttlMs + Math.random() * ttlMs);
  else await new Promise((done) => setImmediate(done));
}
await database.close();
process.stdout.write(JSON.stringify({ holder, wins, renewals }) + '\n');
