/**
 * The engine lease over SQLite (table engine_lease, one row). Several cairn processes on one SQLite file (WAL)
 * share it. acquireOrRenew reads the row, decides with the pure rules, and writes with ONE compare-and-set
 * statement — an INSERT that does nothing on conflict, or an UPDATE matching the row exactly as it was read —
 * so of two processes that read the same row, the second write matches nothing and that process follows.
 * Fenced writes run in the database's transaction, which on SQLite is BEGIN IMMEDIATE: the write lock is taken
 * before the check, so no takeover (another connection's compare-and-set) can commit between the check and the
 * write. Times are the caller's (`now`): one file lives on one machine, so every process reads the same clock.
 *
 * The store must be made over the SAME Database as the repositories the engine writes with: transactions are
 * ambient, so the engine's repository calls inside `fenced` run in the transaction that checked the lease.
 */
import { and, eq } from 'drizzle-orm';
import type { Database } from '../../db/database.js';
import { preparedRead } from '../../db/prepared-queries.js';
import { holderGoneOnThisHost } from './holder-gone.js';
import { decideLease, leads, type LeaseRow } from './lease-rules.js';
import { LeaseLost } from './lease-lost.js';
import type { LeaseState, LeaseStore } from './lease-store.js';

const ROW_ID = 1;

export function createSqliteLeaseStore(database: Database): LeaseStore {
  const { engineLease } = database.t;
  const columns = { holder: engineLease.holder, epoch: engineLease.epoch, expiresAt: engineLease.expiresAt };

  // Read before every engine write and Kubernetes step: its SQL is built once.
  const leaseRow = preparedRead<LeaseRow, { id: number }>(database, (db, value) => db.select(columns).from(engineLease).where(eq(engineLease.id, value('id'))));
  const read = async (): Promise<LeaseRow | null> => (await leaseRow({ id: ROW_ID }))[0] ?? null;

  return {
    read,
    async acquireOrRenew(holder, ttlMs, now, held): Promise<LeaseState> {
      const row = await read();
      // One file on one machine: a holder of this host that has exited need not be waited out.
      const decision = decideLease(row, holder, held, now, row ? holderGoneOnThisHost(row.holder, holder) : false);
      if (!leads(decision)) return { leader: false, decision: decision.kind, holder: decision.holder, epoch: decision.epoch, expiresAt: decision.expiresAt };
      const expiresAt = new Date(now.getTime() + ttlMs);
      const next = { holder, epoch: decision.epoch, expiresAt, renewedAt: now };
      const written = await database.write((db) =>
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
      // Another process wrote the row since it was read: it won this round.
      const current = (await read())!;
      return { leader: false, decision: held === null ? 'FOLLOW' : 'LOST', ...current };
    },
    async release(holder, epoch, now) {
      await database.write((db) =>
        db
          .update(engineLease)
          .set({ expiresAt: now })
          .where(and(eq(engineLease.id, ROW_ID), eq(engineLease.holder, holder), eq(engineLease.epoch, epoch))),
      );
    },
    fenced(holder, epoch, fn) {
      return database.transaction(async () => {
        const row = await read(); // in the transaction: on the writer connection, under the write lock
        if (!row || row.holder !== holder || row.epoch !== epoch) throw new LeaseLost(holder, epoch, row ? `${row.holder} holds it at epoch ${row.epoch}` : 'no process holds it');
        return fn();
      });
    },
    async holds(holder, epoch, now) {
      const row = await read();
      return !!row && row.holder === holder && row.epoch === epoch && row.expiresAt.getTime() > now.getTime();
    },
  };
}
