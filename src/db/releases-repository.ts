import { and, asc, count, desc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { openRow, sealSettings } from '../domain/secret-values.js';
import { inIds, rankedWithin } from './batch-sql.js';
import type { Db } from './client.js';
import { perDatabase } from './prepared.js';
import {
  ACTIVE_STATES,
  instanceFailures,
  orderTransitions,
  releaseOrders,
  revisions,
  type InstanceFailureRow,
  type OrderStateName,
  type OrderTransitionRow,
  type ReleaseOrderRow,
  type RevisionRow,
} from './release-tables.js';

export type NewRevision = Pick<RevisionRow, 'environmentId' | 'image' | 'imageTag' | 'createdBy'> & { settings: ConfigSettings };
export type NewOrder = Omit<ReleaseOrderRow, 'id' | 'version' | 'createdAt' | 'updatedAt' | 'finishedAt'>;
/** The fields of an order a guarded write may change. */
export type OrderChanges = Partial<Pick<ReleaseOrderRow, 'state' | 'pauseMode' | 'direction' | 'cursor' | 'finishedAt'>>;
export type NewTransition = Omit<OrderTransitionRow, 'id'>;
export type NewFailure = Omit<InstanceFailureRow, 'id' | 'resolvedAt'>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A revision named by its environment and number. */
export interface RevisionKey {
  environmentId: number;
  number: number;
}

/** The states of a finished order that left a revision running. */
const FINISHED_RUNNING: OrderStateName[] = ['COMPLETED', 'ROLLED_BACK'];

/** The one-row reads of every release pass and submission, prepared once. */
const prepared = perDatabase((db) => ({
  order: db.select().from(releaseOrders).where(eq(releaseOrders.id, sql.placeholder('id'))).prepare(),
  activeOrderOf: db
    .select()
    .from(releaseOrders)
    .where(and(eq(releaseOrders.environmentId, sql.placeholder('environmentId')), inArray(releaseOrders.state, [...ACTIVE_STATES])))
    .prepare(),
  revision: db
    .select()
    .from(revisions)
    .where(and(eq(revisions.environmentId, sql.placeholder('environmentId')), eq(revisions.number, sql.placeholder('number'))))
    .prepare(),
  lastCompletedOrderOf: db
    .select()
    .from(releaseOrders)
    .where(and(eq(releaseOrders.environmentId, sql.placeholder('environmentId')), inArray(releaseOrders.state, FINISHED_RUNNING)))
    .orderBy(desc(releaseOrders.finishedAt), desc(releaseOrders.id))
    .prepare(),
}));

/**
 * Revisions, release orders, their transitions and instance failures. A revision's secret env
 * values are stored encrypted and read in plain text.
 */
export function releasesRepository(db: Db, cipher: SecretCipher) {
  const open = (rows: RevisionRow[]) => rows.map((r) => openRow(cipher, r));
  return {
    /** Freezes a new revision numbered after the environment's last one; call inside a transaction. */
    createRevision(r: NewRevision, now: Date): RevisionRow {
      const last = db.select({ n: max(revisions.number) }).from(revisions).where(eq(revisions.environmentId, r.environmentId)).get()?.n ?? 0;
      return openRow(cipher, db.insert(revisions).values({ ...r, settings: sealSettings(cipher, r.settings), number: last + 1, createdAt: now }).returning().get());
    },
    revision(environmentId: number, number: number): RevisionRow | undefined {
      return openRow(cipher, prepared(db).revision.get({ environmentId, number }));
    },
    revisionsByIds(ids: number[]): RevisionRow[] {
      return ids.length ? open(db.select().from(revisions).where(inIds(revisions.id, ids)).all()) : [];
    },
    /** Revisions by environment and number, in one statement (those that exist). */
    revisionsByKeys(keys: readonly RevisionKey[]): RevisionRow[] {
      if (!keys.length) return [];
      const pairs = JSON.stringify(keys.map((k) => [k.environmentId, k.number]));
      const where = sql`(${revisions.environmentId}, ${revisions.number}) IN (SELECT value ->> 0, value ->> 1 FROM json_each(${pairs}))`;
      return open(db.select().from(revisions).where(where).all());
    },
    /** A page of each environment's revisions (newest first), by environment then number descending. */
    revisionsPages(environmentIds: readonly number[], offset: number, limit: number): RevisionRow[] {
      if (!environmentIds.length) return [];
      const page = rankedWithin({ table: revisions, id: revisions.id, group: revisions.environmentId, groups: environmentIds, orderBy: sql`${revisions.number} DESC`, offset, limit });
      return open(db.select().from(revisions).where(page).orderBy(asc(revisions.environmentId), desc(revisions.number)).all());
    },
    /** How many revisions each environment has (environments without any are left out). */
    countRevisionsOf(environmentIds: readonly number[]): Map<number, number> {
      if (!environmentIds.length) return new Map();
      const rows = db.select({ id: revisions.environmentId, n: count() }).from(revisions).where(inIds(revisions.environmentId, environmentIds)).groupBy(revisions.environmentId).all();
      return new Map(rows.map((r) => [r.id, r.n]));
    },
    /** An environment's revisions, newest first. */
    revisionsOf(environmentId: number, offset: number, limit: number): RevisionRow[] {
      return open(db.select().from(revisions).where(eq(revisions.environmentId, environmentId)).orderBy(desc(revisions.number)).limit(limit).offset(offset).all());
    },
    countRevisions(environmentId: number): number {
      return db.select({ n: count() }).from(revisions).where(eq(revisions.environmentId, environmentId)).get()?.n ?? 0;
    },

    createOrder(o: NewOrder, now: Date): ReleaseOrderRow {
      return db.insert(releaseOrders).values({ ...o, version: 1, createdAt: now, updatedAt: now }).returning().get();
    },
    ordersByIds(ids: number[]): ReleaseOrderRow[] {
      return ids.length ? db.select().from(releaseOrders).where(inIds(releaseOrders.id, ids)).all() : [];
    },
    order(id: number): ReleaseOrderRow | undefined {
      return prepared(db).order.get({ id });
    },
    /** The environment's order in progress (deploying, paused, failed or rolling back), if any. */
    activeOrderOf(environmentId: number): ReleaseOrderRow | undefined {
      return prepared(db).activeOrderOf.get({ environmentId });
    },
    /** The orders in progress of these environments (at most one each). */
    activeOrdersOf(environmentIds: readonly number[]): ReleaseOrderRow[] {
      if (!environmentIds.length) return [];
      return db.select().from(releaseOrders).where(and(inIds(releaseOrders.environmentId, environmentIds), inArray(releaseOrders.state, [...ACTIVE_STATES]))).all();
    },
    /** Every order in progress, oldest first: what the reconciler resumes at start-up. */
    activeOrders(): ReleaseOrderRow[] {
      return db.select().from(releaseOrders).where(inArray(releaseOrders.state, [...ACTIVE_STATES])).orderBy(releaseOrders.id).all();
    },
    /** The environment's orders, newest first. */
    ordersOf(environmentId: number, offset: number, limit: number): ReleaseOrderRow[] {
      return db.select().from(releaseOrders).where(eq(releaseOrders.environmentId, environmentId)).orderBy(desc(releaseOrders.id)).limit(limit).offset(offset).all();
    },
    /** A page of each environment's orders (newest first), by environment then id descending. */
    ordersPages(environmentIds: readonly number[], offset: number, limit: number): ReleaseOrderRow[] {
      if (!environmentIds.length) return [];
      const page = rankedWithin({ table: releaseOrders, id: releaseOrders.id, group: releaseOrders.environmentId, groups: environmentIds, orderBy: sql`${releaseOrders.id} DESC`, offset, limit });
      return db.select().from(releaseOrders).where(page).orderBy(asc(releaseOrders.environmentId), desc(releaseOrders.id)).all();
    },
    /** How many orders each environment has (environments without any are left out). */
    countOrdersOf(environmentIds: readonly number[]): Map<number, number> {
      if (!environmentIds.length) return new Map();
      const rows = db.select({ id: releaseOrders.environmentId, n: count() }).from(releaseOrders).where(inIds(releaseOrders.environmentId, environmentIds)).groupBy(releaseOrders.environmentId).all();
      return new Map(rows.map((r) => [r.id, r.n]));
    },
    countOrders(environmentId: number): number {
      return db.select({ n: count() }).from(releaseOrders).where(eq(releaseOrders.environmentId, environmentId)).get()?.n ?? 0;
    },
    /** The last completed order of the environment: the revision it left running. */
    lastCompletedOrderOf(environmentId: number): ReleaseOrderRow | undefined {
      return prepared(db).lastCompletedOrderOf.get({ environmentId });
    },
    /** The last completed (or rolled back) order of each of these environments, as lastCompletedOrderOf picks it. */
    lastCompletedOrdersOf(environmentIds: readonly number[]): ReleaseOrderRow[] {
      if (!environmentIds.length) return [];
      const last = rankedWithin({
        table: releaseOrders,
        id: releaseOrders.id,
        group: releaseOrders.environmentId,
        groups: environmentIds,
        orderBy: sql`${releaseOrders.finishedAt} DESC, ${releaseOrders.id} DESC`,
        filter: inArray(releaseOrders.state, FINISHED_RUNNING),
        offset: 0,
        limit: 1,
      });
      return db.select().from(releaseOrders).where(last).all();
    },
    /**
     * `UPDATE … WHERE id = ? AND version = ?`. A write that changes nothing is skipped (the row is
     * returned as it is). Returns undefined when someone wrote since `current` was read.
     */
    updateOrder(current: ReleaseOrderRow, changes: OrderChanges, now: Date): ReleaseOrderRow | undefined {
      const changed = Object.entries(changes).some(([k, v]) => !same(v, current[k as keyof ReleaseOrderRow]));
      if (!changed) return current;
      return db
        .update(releaseOrders)
        .set({ ...changes, version: current.version + 1, updatedAt: now })
        .where(and(eq(releaseOrders.id, current.id), eq(releaseOrders.version, current.version)))
        .returning()
        .get();
    },

    addTransition(t: NewTransition): OrderTransitionRow {
      return db.insert(orderTransitions).values(t).returning().get();
    },
    transitionsOf(orderIds: number[]): OrderTransitionRow[] {
      return orderIds.length ? db.select().from(orderTransitions).where(inIds(orderTransitions.orderId, orderIds)).orderBy(orderTransitions.id).all() : [];
    },

    /** Records a failure unless the same instance already has an unresolved one in this order. */
    addFailure(f: NewFailure): void {
      const open = db
        .select({ id: instanceFailures.id })
        .from(instanceFailures)
        .where(and(eq(instanceFailures.orderId, f.orderId), eq(instanceFailures.instanceName, f.instanceName), isNull(instanceFailures.resolvedAt)))
        .get();
      if (!open) db.insert(instanceFailures).values(f).run();
    },
    failuresOf(orderIds: number[]): InstanceFailureRow[] {
      return orderIds.length ? db.select().from(instanceFailures).where(inIds(instanceFailures.orderId, orderIds)).orderBy(instanceFailures.id).all() : [];
    },
    openFailuresOf(orderId: number): InstanceFailureRow[] {
      return db.select().from(instanceFailures).where(and(eq(instanceFailures.orderId, orderId), isNull(instanceFailures.resolvedAt))).orderBy(instanceFailures.id).all();
    },
    resolveFailures(orderId: number, now: Date): number {
      return db
        .update(instanceFailures)
        .set({ resolvedAt: now })
        .where(and(eq(instanceFailures.orderId, orderId), isNull(instanceFailures.resolvedAt)))
        .run().changes;
    },
    /** Whether any environment of the app has an order in progress. */
    activeOrderOfApp(appId: number): { id: number } | null {
      const row = db
        .select({ id: releaseOrders.id })
        .from(releaseOrders)
        .where(
          and(
            inArray(releaseOrders.state, [...ACTIVE_STATES]),
            sql`${releaseOrders.environmentId} IN (SELECT id FROM environments WHERE app_id = ${appId})`,
          ),
        )
        .get();
      return row ?? null;
    },
  };
}

export type ReleasesRepository = ReturnType<typeof releasesRepository>;
