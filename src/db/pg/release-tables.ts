import { sql } from 'drizzle-orm';
import { index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ConfigSettings } from '../../domain/config-types.js';
import { DIRECTIONS, ORDER_KINDS, ORDER_STATES, PAUSE_MODES, type OrderCursor } from '../release-tables.js';
import { millis } from './columns.js';
import { environments } from './tables.js';

/** PostgreSQL's copy of src/db/release-tables.ts (see tables.ts here). */

const time = (name: string) => millis(name);

export const revisions = pgTable(
  'revisions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    image: text('image').notNull(),
    imageTag: text('image_tag').notNull(),
    settings: jsonb('settings').$type<ConfigSettings>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: time('created_at').notNull(),
  },
  (t) => [uniqueIndex('revisions_environment_number_unique').on(t.environmentId, t.number)],
);

export const releaseOrders = pgTable(
  'release_orders',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ORDER_KINDS }).notNull(),
    fromRevision: integer('from_revision'),
    toRevision: integer('to_revision').notNull(),
    plan: jsonb('plan').$type<number[]>().notNull(),
    pauseMode: text('pause_mode', { enum: PAUSE_MODES }).notNull(),
    state: text('state', { enum: ORDER_STATES }).notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull().default('FORWARD'),
    cursor: jsonb('cursor').$type<OrderCursor>().notNull(),
    version: integer('version').notNull().default(1),
    description: text('description').notNull().default(''),
    createdBy: text('created_by').notNull(),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
    finishedAt: time('finished_at'),
  },
  (t) => [
    index('release_orders_environment').on(t.environmentId, t.id),
    index('release_orders_state').on(t.state),
    uniqueIndex('release_orders_one_active')
      .on(t.environmentId)
      .where(sql`state IN ('DEPLOYING', 'PAUSED', 'FAILED', 'ROLLING_BACK')`),
  ],
);

export const orderTransitions = pgTable(
  'order_transitions',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    orderId: integer('order_id')
      .notNull()
      .references(() => releaseOrders.id, { onDelete: 'cascade' }),
    fromState: text('from_state', { enum: ORDER_STATES }),
    toState: text('to_state', { enum: ORDER_STATES }).notNull(),
    actor: text('actor').notNull(),
    reason: text('reason').notNull(),
    at: time('at').notNull(),
  },
  (t) => [index('order_transitions_order').on(t.orderId, t.id)],
);

export const instanceFailures = pgTable(
  'instance_failures',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    orderId: integer('order_id')
      .notNull()
      .references(() => releaseOrders.id, { onDelete: 'cascade' }),
    batch: integer('batch').notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    instanceName: text('instance_name').notNull(),
    reason: text('reason').notNull(),
    message: text('message').notNull(),
    firstSeenAt: time('first_seen_at').notNull(),
    resolvedAt: time('resolved_at'),
  },
  (t) => [index('instance_failures_order').on(t.orderId, t.id)],
);

export type RevisionRow = typeof revisions.$inferSelect;
export type ReleaseOrderRow = typeof releaseOrders.$inferSelect;
export type OrderTransitionRow = typeof orderTransitions.$inferSelect;
export type InstanceFailureRow = typeof instanceFailures.$inferSelect;
