import { sql } from 'drizzle-orm';
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The release engine's lease: one row (id 1) naming the process whose engine runs, until when, and the
 * term (epoch) it holds. Every takeover raises the epoch; every engine write checks it in its own
 * transaction (src/engine/leader). Absent until the first process takes the lease.
 */
export const engineLease = sqliteTable(
  'engine_lease',
  {
    id: integer('id').primaryKey(),
    /** Who holds it: host name, process id and a random part, fresh for each process. */
    holder: text('holder').notNull(),
    /** The term: 1 for the first holder, one more at each takeover; a renewal keeps it. */
    epoch: integer('epoch').notNull(),
    /** Unix milliseconds: another process may take the lease from this moment on. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    /** Unix milliseconds: when the holder took or last renewed it. */
    renewedAt: integer('renewed_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [check('engine_lease_one_row', sql`${t.id} = 1`), check('engine_lease_epoch_positive', sql`${t.epoch} >= 1`)],
);

export type EngineLeaseRow = typeof engineLease.$inferSelect;
