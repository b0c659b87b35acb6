/**
 * The engine lease over PostgreSQL (table engine_lease, one row), shared by every cairn replica. The same rules as
 * the SQLite store (lease-rules.ts): acquireOrRenew reads the row, decides, and writes with ONE compare-and-set
 * statement — an INSERT … ON CONFLICT DO NOTHING, or an UPDATE matching the row exactly as it was read — so of
 * two replicas that read the same row, the second write matches nothing (under SERIALIZABLE it fails to
 * serialize instead, is run again by the database layer, and then matches nothing) and that replica follows.
 *
 * THE CLOCK. Expiry is decided on the database server's clock (`clock_timestamp()`), not the replica's: the
 * replicas run on several machines whose clocks differ, and with each replica's own clock a follower whose clock
 * runs ahead by `s` would take over `s` early — while the leader still believes its term runs (its local deadline
 * is `ttl` after it sent the renewal, on its own monotonic clock). With the server's clock the stored expiry is
 * `ttl` after a moment that came AFTER the leader sent the renewal, so the leader's local deadline always ends
 * before any replica may take over, whatever the skew between machines (only the clocks' RATES over one term
 * matter, parts per million). So the `now` the callers pass is ignored (clock 'database', the default); tests that
 * script time may choose clock 'caller'. The holder-gone shortcut (holder-gone.ts) is SQLite's only: a replica
 * cannot tell whether a process on another machine has exited.
 *
 * FENCING. `fenced` runs in a database transaction (SERIALIZABLE) that first reads the lease row FOR SHARE. The
 * share lock is held until the transaction ends, and a takeover's UPDATE of the row must wait for it: so a
 * takeover commits either BEFORE the check (the check sees the new holder and epoch, or — when the takeover
 * committed while the check waited for its lock — the check fails to serialize, is run again and then sees them:
 * LeaseLost, nothing written) or AFTER the fenced write committed. A plain read would not do: SERIALIZABLE lets a
 * transaction that read the old row commit after the takeover (it orders it logically before), so the new
 * leader could start its term, read the orders, and only then see the old leader's last write land. With the
 * lock, the new term starts strictly after every write of the old one. The wait is bounded by the pool's
 * lock_timeout (src/db/pg/client.ts); a takeover that times out is tried again at the next attempt. A leader
 * PAUSED inside a fenced transaction (SIGSTOP, a frozen VM) would hold the lock until the server ends its idle
 * transaction: the store's transactions set their own idle limit (`lockIdleTimeoutMs`, 2 s, against the pool's
 * 30 s), so the takeover waits at most that long after the lease expired, and the paused write commits nothing.
 * (The same holds for a leader paused inside a renewal, whose UPDATE locks the row.)
 *
 * The store must be made over the SAME Database as the repositories the engine writes with: transactions are
 * ambient, so the engine's repository calls inside `fenced` run in the transaction that locked the lease row.
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Pool, PoolClient } from 'pg';
import type { Database, QueryDb } from '../../db/database.js';
import type { PgDb } from '../../db/pg/client.js';
import { engineLease } from '../../db/pg/lease-table.js';
import { decideLease, leads, type LeaseRow } from './lease-rules.js';
import { LeaseLost } from './lease-lost.js';
import type { LeaseState, LeaseStore } from './lease-store.js';

const ROW_ID = 1;

export interface PgLeaseStoreOptions {
  /**
   * Whose clock decides expiry: 'database' (default) — the PostgreSQL server's, one clock for every replica;
   * 'caller' — the `now` each call passes (tests that script time).
   */
  clock?: 'database' | 'caller';
  /**
   * How long a transaction of this store — a fenced write, a renewal, a release: each holds a lock on the lease row —
   * may sit idle between its statements before the server ends it (its session with it), default 2 s: a leader
   * paused (SIGSTOP, a frozen VM) inside one would otherwise hold off the takeover until the pool's
   * idle_in_transaction_session_timeout (30 s).
   */
  lockIdleTimeoutMs?: number;
}

/** The server's time, in Unix milliseconds (a bigint, read back as a number). */
const SERVER_MS = sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * The pools whose connections have an 'error' listener. The server ends a session whose transaction sat idle too
 * long (this store's idle limit, or the pool's own); node-postgres tells a connection held by a flow — not the
 * pool — and an 'error' event nobody listens to would end the process. With the listener the flow's next
 * statement (or its COMMIT) fails instead, and the pool drops the connection when it is given back.
 */
const guarded = new WeakSet<Pool>();
function guard(pool: Pool | undefined): void {
  if (!pool || guarded.has(pool)) return;
  guarded.add(pool);
  const listening = new WeakSet<PoolClient>();
  pool.on('acquire', (client) => {
    if (listening.has(client)) return;
    listening.add(client);
    client.on('error', () => undefined);
  });
}

/** The builder the Database hands out is drizzle's node-postgres one on PostgreSQL (src/db/database.ts). */
const pg = (db: QueryDb) => db as unknown as PgDb;

export function createPgLeaseStore(database: Database, options: PgLeaseStoreOptions = {}): LeaseStore {
  if (database.kind !== 'postgres') throw new Error('createPgLeaseStore needs a PostgreSQL database (use createSqliteLeaseStore for SQLite)');
  guard(database.pool);
  const serverClock = (options.clock ?? 'database') === 'database';
  const idleMs = Math.max(1, Math.round(options.lockIdleTimeoutMs ?? 2_000));
  const columns = { holder: engineLease.holder, epoch: engineLease.epoch, expiresAt: engineLease.expiresAt };

  /** `set_config(…, true)` is SET LOCAL: the limit holds until the transaction ends. */
  const idleLimit = sql`set_config('idle_in_transaction_session_timeout', ${String(idleMs)}, true)`;
  /**
   * One write to the lease row, in a transaction with the idle limit (a renewal's UPDATE locks the row too). The
   * statements run on the transaction's handle as given (`read` inside a transaction): the write is the
   * transaction's only one, and a renewal must stay a few round trips (its answer is awaited at most ttl / 3).
   */
  const writeRow = <T>(fn: (db: PgDb) => Promise<T>): Promise<T> =>
    database.transaction(
      async () => {
        await database.read((db) => pg(db).execute(sql`SELECT ${idleLimit}`));
        return database.read((db) => fn(pg(db)));
      },
      // Not behind this replica's other transactions: a renewal stuck behind a burst of them would lose the lease.
      { apart: true },
    );

  const read = async (): Promise<LeaseRow | null> => {
    const rows = await database.read((db) => pg(db).select(columns).from(engineLease).where(eq(engineLease.id, ROW_ID)));
    return rows[0] ?? null;
  };

  /** The row and the time to judge it by: the server's, read in the same statement, or the caller's. */
  const readAt = async (callerNow: Date): Promise<{ row: LeaseRow | null; now: Date }> => {
    if (!serverClock) return { row: await read(), now: callerNow };
    const result = await database.read((db) =>
      pg(db).execute<{ now: number; holder: string | null; epoch: number | null; expires_at: number | null }>(
        sql`SELECT ${SERVER_MS} AS now, l.holder, l.epoch, l.expires_at FROM (SELECT 1) AS clock LEFT JOIN ${engineLease} AS l ON l.id = ${ROW_ID}`,
      ),
    );
    const r = result.rows[0]!;
    const row = r.holder === null ? null : { holder: r.holder, epoch: Number(r.epoch), expiresAt: new Date(Number(r.expires_at)) };
    return { row, now: new Date(Number(r.now)) };
  };

  return {
    read,
    async acquireOrRenew(holder, ttlMs, callerNow, held): Promise<LeaseState> {
      const { row, now } = await readAt(callerNow);
      const decision = decideLease(row, holder, held, now);
      if (!leads(decision)) return { leader: false, decision: decision.kind, holder: decision.holder, epoch: decision.epoch, expiresAt: decision.expiresAt };
      const expiresAt = new Date(now.getTime() + ttlMs);
      const next = { holder, epoch: decision.epoch, expiresAt, renewedAt: now };
      const written = await writeRow((db) =>
        row
          ? db
              .update(engineLease)
              .set(next)
              .where(and(eq(engineLease.id, ROW_ID), eq(engineLease.holder, row.holder), eq(engineLease.epoch, row.epoch), eq(engineLease.expiresAt, row.expiresAt)))
              .returning({ epoch: engineLease.epoch })
          : db
              .insert(engineLease)
              .values({ id: ROW_ID, ...next })
              .onConflictDoNothing()
              .returning({ epoch: engineLease.epoch }),
      );
      if (written.length === 1) return { leader: true, decision: decision.kind, holder, epoch: decision.epoch, expiresAt };
      // Another replica wrote the row since it was read: it won this round.
      const current = (await read())!;
      return { leader: false, decision: held === null ? 'FOLLOW' : 'LOST', ...current };
    },
    async release(holder, epoch, callerNow) {
      const at = serverClock ? sql`LEAST(${engineLease.expiresAt}, ${SERVER_MS})` : callerNow;
      await writeRow((db) =>
        db
          .update(engineLease)
          .set({ expiresAt: at })
          .where(and(eq(engineLease.id, ROW_ID), eq(engineLease.holder, holder), eq(engineLease.epoch, epoch))),
      );
    },
    fenced(holder, epoch, fn) {
      return database.transaction(async () => {
        // FOR SHARE: a takeover's UPDATE waits until this transaction ends (see the file's comment). In the same
        // statement, the transaction's own idle limit (set_config(…, true) is SET LOCAL): a paused leader's
        // transaction is ended by the server soon after, and the takeover proceeds.
        const rows = await database.read((db) =>
          pg(db)
            .select({ ...columns, idle: idleLimit })
            .from(engineLease)
            .where(eq(engineLease.id, ROW_ID))
            .for('share'),
        );
        const row = rows[0];
        if (!row || row.holder !== holder || row.epoch !== epoch) throw new LeaseLost(holder, epoch, row ? `${row.holder} holds it at epoch ${row.epoch}` : 'no process holds it');
        return fn();
      });
    },
    async holds(holder, epoch, callerNow) {
      const { row, now } = await readAt(callerNow);
      return !!row && row.holder === holder && row.epoch === epoch && row.expiresAt.getTime() > now.getTime();
    },
  };
}
