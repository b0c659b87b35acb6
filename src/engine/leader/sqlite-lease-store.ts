/**
 * The engine lease over SQLite (table engine_lease, one row). Several cairn processes on one SQLite file (WAL)
 * share it. acquireOrRenew reads the row, decides with the pure rules, and writes with ONE compare-and-set
 * statement — an INSERT that does nothing on conflict, or an UPDATE matching the row exactly as it was read —
 * so of two processes that read the same row, the second write matches nothing and that process follows.
 * Fenced writes run in an IMMEDIATE transaction: the write lock is taken before the check, so no takeover can
 * commit between the check and the write (and a deferred read-then-write cannot fail with a stale snapshot).
 */
import { and, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { engineLease } from '../../db/lease-table.js';
import { holderGoneOnThisHost } from './holder-gone.js';
import { decideLease, leads, type LeaseRow } from './lease-rules.js';
import { LeaseLost } from './lease-lost.js';
import type { LeaseState, LeaseStore } from './lease-store.js';

const ROW_ID = 1;

export function createSqliteLeaseStore(db: Db): LeaseStore {
  const read = (): LeaseRow | null => {
    const row = db.select({ holder: engineLease.holder, epoch: engineLease.epoch, expiresAt: engineLease.expiresAt }).from(engineLease).where(eq(engineLease.id, ROW_ID)).get();
    return row ?? null;
  };

  const acquireOrRenew = (holder: string, ttlMs: number, now: Date, held: number | null): LeaseState => {
    const row = read();
    // One file on one machine: a holder of this host that has exited need not be waited out.
    const decision = decideLease(row, holder, held, now, row ? holderGoneOnThisHost(row.holder, holder) : false);
    if (!leads(decision)) return { leader: false, decision: decision.kind, holder: decision.holder, epoch: decision.epoch, expiresAt: decision.expiresAt };
    const expiresAt = new Date(now.getTime() + ttlMs);
    const next = { holder, epoch: decision.epoch, expiresAt, renewedAt: now };
    const won = row
      ? db
          .update(engineLease)
          .set(next)
          .where(and(eq(engineLease.id, ROW_ID), eq(engineLease.holder, row.holder), eq(engineLease.epoch, row.epoch), eq(engineLease.expiresAt, row.expiresAt)))
          .run().changes === 1
      : db
          .insert(engineLease)
          .values({ id: ROW_ID, ...next })
          .onConflictDoNothing()
          .run().changes === 1;
    if (won) return { leader: true, decision: decision.kind, holder, epoch: decision.epoch, expiresAt };
    // Another process wrote the row since it was read: it won this round.
    const current = read()!;
    return { leader: false, decision: held === null ? 'FOLLOW' : 'LOST', ...current };
  };

  return {
    acquireOrRenew: async (holder, ttlMs, now, held) => acquireOrRenew(holder, ttlMs, now, held),
    read: async () => read(),
    async release(holder, epoch, now) {
      db.update(engineLease)
        .set({ expiresAt: now })
        .where(and(eq(engineLease.id, ROW_ID), eq(engineLease.holder, holder), eq(engineLease.epoch, epoch)))
        .run();
    },
    fenced(holder, epoch, fn) {
      return db.transaction(
        () => {
          const row = read();
          if (!row || row.holder !== holder || row.epoch !== epoch) throw new LeaseLost(holder, epoch, row ? `${row.holder} holds it at epoch ${row.epoch}` : 'no process holds it');
          return fn();
        },
        { behavior: 'immediate' },
      );
    },
    holds(holder, epoch, now) {
      const row = read();
      return !!row && row.holder === holder && row.epoch === epoch && row.expiresAt.getTime() > now.getTime();
    },
  };
}
