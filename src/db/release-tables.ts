import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ConfigSettings } from '../domain/config-types.js';
import { environments } from './tables.js';

/** Unix milliseconds, stored as an integer and read back as a Date. */
const time = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const ORDER_STATES = ['DEPLOYING', 'PAUSED', 'COMPLETED', 'FAILED', 'CLOSED', 'ROLLING_BACK', 'ROLLED_BACK'] as const;
export type OrderStateName = (typeof ORDER_STATES)[number];
/** States in which an order holds its environment (at most one such order per environment). */
export const ACTIVE_STATES: readonly OrderStateName[] = ['DEPLOYING', 'PAUSED', 'FAILED', 'ROLLING_BACK'];
export const PAUSE_MODES = ['FIRST_BATCH', 'EVERY_BATCH', 'NONE'] as const;
export type PauseMode = (typeof PAUSE_MODES)[number];
export const ORDER_KINDS = ['RELEASE', 'ROLLBACK'] as const;
export type OrderKind = (typeof ORDER_KINDS)[number];
export const DIRECTIONS = ['FORWARD', 'BACKWARD'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Where the reconciler stands within the order: persisted so that a restart resumes exactly here. */
export interface OrderCursor {
  /** Batches finished in the current direction. */
  batchesDone: number;
  /** The kube objects of the current direction were ensured (namespace, services, revision workload). */
  prepared: boolean;
  /** When the batch in progress started (the batch deadline counts from here). */
  batchStartedAt: number | null;
  /** Failed instances to recreate (retry); the reconciler deletes pods of these names created before `retryAt`. */
  recreate: string[];
  retryAt: number | null;
}

/** An immutable, numbered snapshot of an environment's draft: image with tag and every setting (secrets and file mounts included). */
export const revisions = sqliteTable(
  'revisions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    /** The full image reference with its tag, e.g. `nginx:1.25`. */
    image: text('image').notNull(),
    imageTag: text('image_tag').notNull(),
    settings: text('settings', { mode: 'json' }).$type<ConfigSettings>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: time('created_at').notNull(),
  },
  (t) => [uniqueIndex('revisions_environment_number_unique').on(t.environmentId, t.number)],
);

/** A release order: takes an environment from one revision to another in batches. */
export const releaseOrders = sqliteTable(
  'release_orders',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    environmentId: integer('environment_id')
      .notNull()
      .references(() => environments.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ORDER_KINDS }).notNull(),
    /** The revision number running before the order; null for the first release. */
    fromRevision: integer('from_revision'),
    toRevision: integer('to_revision').notNull(),
    /** Batch sizes, larger first. */
    plan: text('plan', { mode: 'json' }).$type<number[]>().notNull(),
    pauseMode: text('pause_mode', { enum: PAUSE_MODES }).notNull(),
    state: text('state', { enum: ORDER_STATES }).notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull().default('FORWARD'),
    cursor: text('cursor', { mode: 'json' }).$type<OrderCursor>().notNull(),
    version: integer('version').notNull().default(1),
    description: text('description').notNull().default(''),
    createdBy: text('created_by').notNull(),
    createdAt: time('created_at').notNull(),
    updatedAt: time('updated_at').notNull(),
    finishedAt: time('finished_at'),
  },
  (t) => [
    index('release_orders_environment').on(t.environmentId, t.id),
    // The orders counted by state (the cairn_release_orders gauge) without reading the table.
    index('release_orders_state').on(t.state),
    uniqueIndex('release_orders_one_active')
      .on(t.environmentId)
      .where(sql`state IN ('DEPLOYING', 'PAUSED', 'FAILED', 'ROLLING_BACK')`),
  ],
);

/** Every state change of an order: who, when and why. */
export const orderTransitions = sqliteTable(
  'order_transitions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
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

/** An instance that could not become Ready within an order's batch, with the reason. */
export const instanceFailures = sqliteTable(
  'instance_failures',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id')
      .notNull()
      .references(() => releaseOrders.id, { onDelete: 'cascade' }),
    /** 0-based batch index within the order's direction at the time. */
    batch: integer('batch').notNull(),
    direction: text('direction', { enum: DIRECTIONS }).notNull(),
    instanceName: text('instance_name').notNull(),
    reason: text('reason').notNull(),
    message: text('message').notNull(),
    firstSeenAt: time('first_seen_at').notNull(),
    /** Set when a retry or a rollback left the failure behind. */
    resolvedAt: time('resolved_at'),
  },
  (t) => [index('instance_failures_order').on(t.orderId, t.id)],
);

export type RevisionRow = typeof revisions.$inferSelect;
export type ReleaseOrderRow = typeof releaseOrders.$inferSelect;
export type OrderTransitionRow = typeof orderTransitions.$inferSelect;
export type InstanceFailureRow = typeof instanceFailures.$inferSelect;
