import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { millis } from './columns.js';

/** PostgreSQL's copy of src/db/lease-table.ts: the release engine's lease, one row (id 1). */
export const engineLease = pgTable(
  'engine_lease',
  {
    id: integer('id').primaryKey(),
    holder: text('holder').notNull(),
    epoch: integer('epoch').notNull(),
    expiresAt: millis('expires_at').notNull(),
    renewedAt: millis('renewed_at').notNull(),
  },
  (t) => [check('engine_lease_one_row', sql`${t.id} = 1`), check('engine_lease_epoch_positive', sql`${t.epoch} >= 1`)],
);
