/**
 * A paused leader writes nothing once another took over, on SQLite and on PostgreSQL, with a real pause: leader A
 * is its own process (paused-leader.ts), writing a row through its fence every few milliseconds; it is stopped with
 * SIGSTOP; B (this process) takes over when A's lease runs out and writes its own rows; A is woken with SIGCONT,
 * learns it lost, and stops. Every row A wrote was committed before the pause; its epoch's rows all come before
 * B's. On PostgreSQL, A is also paused INSIDE a fenced write (its row inserted, not committed, the lease row
 * locked): the server ends A's idle transaction, B takes over, and the row A inserted is never committed.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.js';
import type { PgDb } from '../../../src/db/pg/client.js';
import { createLeadership, type Leadership } from '../../../src/engine/leader/leadership.js';
import { eachDatabase, until, type DatabaseUnderTest } from './each-database.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const TTL = 1_000;

type Row = {
  id: number;
  holder: string;
  epoch: number;
};

async function createTable(database: Database): Promise<void> {
  if (database.kind === 'sqlite') database.sqlite!.exec('CREATE TABLE fenced_writes (id INTEGER PRIMARY KEY AUTOINCREMENT, holder TEXT NOT NULL, epoch INTEGER NOT NULL)');
  else await database.pool!.query('CREATE TABLE fenced_writes (id bigserial PRIMARY KEY, holder text NOT NULL, epoch integer NOT NULL)');
}

async function rows(database: Database): Promise<Row[]> {
  const select = sql`SELECT id, holder, epoch FROM fenced_writes ORDER BY id`;
  if (database.kind === 'sqlite') return database.read(async (db) => db.all<Row>(select));
  return (await database.read((db) => (db as unknown as PgDb).execute<Row>(select))).rows.map((r) => ({ ...r, id: Number(r.id) }));
}
const count = async (database: Database, holder: string) => (await rows(database)).filter((r) => r.holder === holder).length;

/** Leader A, its own process; its JSON lines as they come. */
function leaderA(under: DatabaseUnderTest, location: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/engine/leader/paused-leader.ts', location, 'a', String(TTL)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: { msg: string; [k: string]: unknown }[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(JSON.parse(line) as { msg: string }));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  under.defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  const said = (msg: string) => lines.some((l) => l.msg === msg);
  /** The process state from /proc: 'T' while stopped. */
  const state = () => readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]![0];
  return { child, lines, said, state, exited, stderr: () => stderr };
}

/** Leader B, in this process: the same engine (a row through the fence every few milliseconds). */
function leaderB(under: DatabaseUnderTest, database: Database) {
  let running = false;
  let working: Promise<void> = Promise.resolve();
  const insert = (epoch: number) => {
    const statement = sql`INSERT INTO fenced_writes (holder, epoch) VALUES ('b', ${epoch})`;
    return database.write(async (db) => (database.kind === 'sqlite' ? db.run(statement) : (db as unknown as PgDb).execute(statement)));
  };
  const work = async () => {
    while (running) {
      const epoch = leadership.status().epoch!;
      await leadership.fence.beforeApply().then(() => leadership.fence.write(() => insert(epoch)), () => undefined);
      await sleep(5);
    }
  };
  const leadership: Leadership = createLeadership({
    store: under.leaseStore(database),
    holder: 'b',
    ttlMs: TTL,
    logger: pino({ level: 'silent' }),
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
  under.defer(() => leadership.stop());
  return leadership;
}

eachDatabase('a paused leader (SIGSTOP)', (under) => {
  const pausedLeader = async (where: 'after' | 'inside') => {
    const first = await under.fresh();
    await createTable(first);
    const a = leaderA(under, under.location(first));
    await until('a to lead and write', async () => (a.said('engine leadership acquired') && (await count(first, 'a')) >= 5 ? true : undefined), 30_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${a.stderr()}`);
    });
    a.child.stdin!.write(`${where}\n`);
    await until('a to stop itself', () => (a.said('pausing') && a.state() === 'T' ? true : undefined));
    const before = (await rows(first)).filter((r) => r.holder === 'a');
    // B takes over once A's lease ran out (on PostgreSQL, A's idle transaction ended by the server first).
    const b = leaderB(under, await under.another(first));
    await b.start();
    await until('b to lead and write', async () => (b.status().leader && (await count(first, 'b')) >= 5 ? true : undefined), 15_000);
    // Epoch 2, or 3 when B's first takeover waited on the row lock longer than its attempt's time limit: the UPDATE
    // then committed unseen, and B's next attempt began a new term over its own unknown one (lease-rules.ts).
    const epochOfB = b.status().epoch!;
    expect(epochOfB).toBeGreaterThanOrEqual(2);
    // A wakes: it learns it lost, while B goes on writing.
    const lostBefore = a.lines.filter((l) => l.msg === 'engine leadership lost').length; // (a term lost to a slow renewal under load)
    a.child.kill('SIGCONT');
    await until('a to learn it lost', () => (a.lines.filter((l) => l.msg === 'engine leadership lost').length > lostBefore ? true : undefined));
    const written = await count(first, 'b');
    await until('b to write on', async () => ((await count(first, 'b')) >= written + 5 ? true : undefined));
    a.child.kill('SIGTERM');
    await a.exited;
    await b.stop();

    const all = await rows(first);
    const ofA = all.filter((r) => r.holder === 'a');
    const ofB = all.filter((r) => r.holder === 'b');
    expect(ofA).toEqual(before); // nothing of A's committed after the pause
    expect(ofA.every((r) => r.epoch < epochOfB)).toBe(true);
    expect(new Set(ofB.map((r) => r.epoch))).toEqual(new Set([epochOfB]));
    expect(Math.max(...ofA.map((r) => r.id))).toBeLessThan(Math.min(...ofB.map((r) => r.id)));
    return a;
  };

  it('paused between writes: B takes over; A, woken, writes nothing more and stops', async () => {
    const a = await pausedLeader('after');
    expect(a.lines.filter((l) => l.msg === 'engine leadership lost').at(-1)).toMatchObject({ holder: 'a', epoch: expect.any(Number) });
  }, 90_000);

  if (under.kind === 'postgres') {
    it('paused inside a fenced write, the lease row locked: the server ends its transaction, B takes over, the row A inserted never commits', async () => {
      const a = await pausedLeader('inside');
      expect(a.lines.some((l) => l.msg === 'write failed')).toBe(true);
    }, 90_000);
  }
});
