/**
 * A leader for the paused-leader test, run as its own process: `node --import tsx paused-leader.ts <db> <holder> <ttlMs>`,
 * where <db> is a SQLite file or a postgres:// URL holding a `fenced_writes (id, holder, epoch)` table. It competes
 * for the lease; while it leads, its "engine" checks the lease (beforeApply) and writes one row through the fence
 * every few milliseconds, tagged with its holder and epoch. Told `after` on stdin it stops itself (SIGSTOP) after its
 * next write; told `inside`, INSIDE its next fenced write, after the row's INSERT and before the commit. It
 * says what happens as JSON lines on stdout (its leadership's log lines, `pausing`, `fenced`, `write failed`).
 * SIGTERM stops it (leadership released, database closed).
 */
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { openDatabase } from '../../../src/db/client.js';
import type { Database } from '../../../src/db/database.js';
import type { PgDb } from '../../../src/db/pg/client.js';
import { openPostgresDatabase } from '../../../src/db/pg/database.js';
import { createLeadership, type Leadership } from '../../../src/engine/leader/leadership.js';
import { LeaseLost } from '../../../src/engine/leader/lease-lost.js';
import { leaseStoreFor } from '../../../src/engine/leader/lease-store-for.js';

const [location, holder, ttl] = process.argv.slice(2) as [string, string, string];
const database: Database = location.startsWith('postgres://') ? await openPostgresDatabase(location, { maxConnections: 3 }) : openDatabase(location);
const say = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

let pause: 'after' | 'inside' | null = null;
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'after' || line === 'inside') pause = line;
});
const stopHere = (where: string) => {
  pause = null;
  say({ msg: 'pausing', where });
  process.kill(process.pid, 'SIGSTOP'); // the kernel stops this process here, until SIGCONT
};

const insert = (epoch: number) => {
  const statement = sql`INSERT INTO fenced_writes (holder, epoch) VALUES (${holder}, ${epoch})`;
  return database.write(async (db) => (database.kind === 'sqlite' ? db.run(statement) : (db as unknown as PgDb).execute(statement)));
};

let running = false;
let working: Promise<void> = Promise.resolve();
const work = async () => {
  while (running) {
    const epoch = leadership.status().epoch!;
    try {
      await leadership.fence.beforeApply();
      await leadership.fence.write(async () => {
        await insert(epoch);
        if (pause === 'inside') stopHere('inside');
      });
      if (pause === 'after') stopHere('after');
    } catch (error) {
      if (error instanceof LeaseLost) {
        say({ msg: 'fenced', epoch: error.epoch, reason: error.reason });
        leadership.fenced(error);
      } else say({ msg: 'write failed', epoch, error: String(error) });
    }
    await sleep(5);
  }
};
const leadership: Leadership = createLeadership({
  store: leaseStoreFor(database),
  holder,
  ttlMs: Number(ttl),
  logger: pino({ level: 'info' }, { write: (line: string) => void process.stdout.write(line) }),
  engine: {
    start() {
      running = true;
      working = work();
    },
    async stop() {
      running = false;
      await working;
    },
  },
});
process.once('SIGTERM', () => {
  void leadership
    .stop()
    .then(() => database.close())
    .finally(() => process.exit(0));
});
await leadership.start();
