/**
 * One racer for the lease store test, run as its own process: `node --import tsx lease-racer.ts <db> <holder> <startAt> <ms> <ttlMs>`.
 * From `startAt` (epoch ms) for `ms`, competes for the lease as fast as it can on its own connection; after a
 * win it sometimes stalls past the ttl, so the other racer takes over. Prints every term it won and renewed, as JSON.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { openDatabase } from '../../../src/db/client.js';
import { createSqliteLeaseStore } from '../../../src/engine/leader/sqlite-lease-store.js';

const [path, holder, startAt, ms, ttl] = process.argv.slice(2) as [string, string, string, string, string];
const database = openDatabase(path);
const store = createSqliteLeaseStore(database.db);
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
database.close();
process.stdout.write(JSON.stringify({ holder, wins, renewals }) + '\n');
