/**
 * How long an order event takes from one replica to another over PostgreSQL LISTEN/NOTIFY: `publish` on replica A
 * (the engine leader, after a pass) until replica B's listener is told — one event at a time, then bursts of 200
 * events in one tick — beside the floor: the same NOTIFY sent on a plain pg client and heard by a plain LISTEN
 * client, without cairn's code (one at a time; the burst floor sends one NOTIFY carrying 200 IDs, as the outbox does).
 *
 *   npx tsx bench/replica-events.ts          (EVENTS=2000 to measure more)
 *
 * A throwaway PostgreSQL (test/pg/pg-cluster.ts) on loopback; everything else in this process. Noisy on a shared
 * machine: read each figure beside its floor, measured in the same run.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openPostgresDatabase } from '../src/db/pg/database.js';
import { CHANNELS } from '../src/db/pg/notifications.js';
import { createReplicatedOrderEvents } from '../src/engine/replicated-order-events.js';
import { startPgCluster } from '../test/pg/pg-cluster.js';
import { ms, printTable, summarize } from './lib/stats.js';

const EVENTS = Number(process.env.EVENTS ?? 500);
const BURST = 200;

const cluster = await startPgCluster();
try {
  const a = await openPostgresDatabase(cluster.url, { maxConnections: 4 });
  const b = await openPostgresDatabase(cluster.url, { maxConnections: 4 });
  const onA = createReplicatedOrderEvents(a.notifications, { origin: 'a' });
  const onB = createReplicatedOrderEvents(b.notifications, { origin: 'b' });

  // cairn: one at a time.
  const single: number[] = [];
  for (let i = 0; i < EVENTS; i += 1) {
    const told = new Promise<void>((resolve) => {
      const off = onB.listen(1, () => (off(), resolve()));
    });
    const t0 = performance.now();
    onA.publish(1);
    await told;
    single.push(performance.now() - t0);
  }

  // cairn: bursts of BURST events (different orders) published in one tick; the time until B was told the last.
  const bursts: number[] = [];
  for (let round = 0; round < Math.max(5, EVENTS / BURST); round += 1) {
    let left = BURST;
    const told = new Promise<void>((resolve) => {
      const offs = Array.from({ length: BURST }, (_, k) => onB.listen(1000 + k, () => (offs[k]!(), --left === 0 && resolve())));
    });
    const t0 = performance.now();
    for (let k = 0; k < BURST; k += 1) onA.publish(1000 + k);
    await told;
    bursts.push(performance.now() - t0);
  }

  // The floor: plain clients, the same statement and payload sizes.
  const sender = new pg.Client({ connectionString: cluster.url });
  const listener = new pg.Client({ connectionString: cluster.url });
  await Promise.all([sender.connect(), listener.connect()]);
  await listener.query(`LISTEN ${CHANNELS.orders}`);
  const heard = () => new Promise<void>((resolve) => listener.once('notification', () => resolve()));
  const floorSingle: number[] = [];
  for (let i = 0; i < EVENTS; i += 1) {
    const got = heard();
    const t0 = performance.now();
    await sender.query('SELECT pg_notify($1, $2)', [CHANNELS.orders, `f;1.${i + 1}`]);
    await got;
    floorSingle.push(performance.now() - t0);
  }
  const floorBursts: number[] = [];
  const payload = `f;${Array.from({ length: BURST }, (_, k) => `${1000 + k}.1`).join(',')}`;
  for (let round = 0; round < bursts.length; round += 1) {
    const got = heard();
    const t0 = performance.now();
    await sender.query('SELECT pg_notify($1, $2)', [CHANNELS.orders, payload]);
    await got;
    floorBursts.push(performance.now() - t0);
  }
  await Promise.all([sender.end(), listener.end()]);

  const s = summarize(single);
  const f = summarize(floorSingle);
  const sb = summarize(bursts);
  const fb = summarize(floorBursts);
  printTable(
    ['publish on A → told on B', 'n', 'p50', 'p99', 'max', 'floor p50', 'floor p99'],
    [
      ['one event', s.n, ms(s.p50), ms(s.p99), ms(s.max), ms(f.p50), ms(f.p99)],
      [`${BURST} events in one tick (to the last)`, sb.n, ms(sb.p50), ms(sb.p99), ms(sb.max), ms(fb.p50), ms(fb.p99)],
    ],
  );
  onA.close();
  onB.close();
  await a.close();
  await b.close();
} finally {
  await cluster.stop();
}
