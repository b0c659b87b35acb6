import { and, asc, count, desc, eq, inArray, isNull, max, sql } from 'drizzle-orm';
import type { ConfigSettings } from '../domain/config-types.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { openRow, sealSettings } from '../domain/secret-values.js';
import { rankedWithin } from './batch-sql.js';
import type { Database } from './database.js';
import { preparedByIds, preparedInTransaction, preparedRead, preparedWrite } from './prepared-queries.js';
import {
  ACTIVE_STATES,
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

/** JSON with every object's keys in order: PostgreSQL's jsonb gives a stored cursor's keys back in its own order. */
const canonical = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** A revision named by its environment and number. */
export interface RevisionKey {
  environmentId: number;
  number: number;
}

/** The states of a finished order that left a revision running. */
const FINISHED_RUNNING: OrderStateName[] = ['COMPLETED', 'ROLLED_BACK'];

/**
 * Revisions, release orders, their transitions and instance failures. A revision's secret env
 * values are stored encrypted and read in plain text.
 */
export function releasesRepository(d: Database, cipher: SecretCipher) {
  const { revisions, releaseOrders, orderTransitions, instanceFailures, environments } = d.t;
  const inIds = d.dialect.inIds;
  const open = (rows: RevisionRow[]) => rows.map((r) => openRow(cipher, r));
  const one = <T>(rows: T[]): T | undefined => rows[0];
  // The reads a release runs on every order (the engine's passes, a submission): their SQL is built once (prepared-queries.ts).
  const orderById = preparedRead<ReleaseOrderRow, { id: number }>(d, (db, value) => db.select().from(releaseOrders).where(eq(releaseOrders.id, value('id'))).limit(1));
  const orderStamp = preparedRead<{ version: number; updatedAt: Date }, { id: number }>(d, (db, value) =>
    db.select({ version: releaseOrders.version, updatedAt: releaseOrders.updatedAt }).from(releaseOrders).where(eq(releaseOrders.id, value('id'))).limit(1),
  );
  const activeOrder = preparedRead<ReleaseOrderRow, { environmentId: number }>(d, (db, value) =>
    db.select().from(releaseOrders).where(and(eq(releaseOrders.environmentId, value('environmentId')), inArray(releaseOrders.state, [...ACTIVE_STATES]))).limit(1),
  );
  const lastCompletedOrder = preparedRead<ReleaseOrderRow, { environmentId: number }>(d, (db, value) =>
    db
      .select()
      .from(releaseOrders)
      .where(and(eq(releaseOrders.environmentId, value('environmentId')), inArray(releaseOrders.state, FINISHED_RUNNING)))
      .orderBy(sql`${releaseOrders.finishedAt} DESC NULLS LAST`, desc(releaseOrders.id))
      .limit(1),
  );
  const openFailures = preparedRead<InstanceFailureRow, { orderId: number }>(d, (db, value) =>
    db.select().from(instanceFailures).where(and(eq(instanceFailures.orderId, value('orderId')), isNull(instanceFailures.resolvedAt))).orderBy(instanceFailures.id),
  );
  // The writes of every order (a submission, the engine's steps), their SQL built once too.
  const insertOrder = preparedWrite<ReleaseOrderRow, Omit<ReleaseOrderRow, 'id' | 'finishedAt'>>(d, (db, value) =>
    db
      .insert(releaseOrders)
      .values({
        environmentId: value('environmentId'),
        kind: value('kind'),
        fromRevision: value('fromRevision'),
        toRevision: value('toRevision'),
        plan: value('plan'),
        pauseMode: value('pauseMode'),
        state: value('state'),
        direction: value('direction'),
        cursor: value('cursor'),
        version: value('version'),
        description: value('description'),
        createdBy: value('createdBy'),
        createdAt: value('createdAt'),
        updatedAt: value('updatedAt'),
        // A new order has not finished (and drizzle cannot turn a placeholder's null into a time: it is written as null).
        finishedAt: null,
      })
      .returning(),
  );
  const insertTransition = preparedWrite<OrderTransitionRow, NewTransition>(d, (db, value) =>
    db
      .insert(orderTransitions)
      .values({ orderId: value('orderId'), fromState: value('fromState'), toState: value('toState'), actor: value('actor'), reason: value('reason'), at: value('at') })
      .returning(),
  );
  type OrderUpdate = OrderChanges & { id: number; version: number; updatedAt: Date; expectedVersion: number };
  /**
   * One prepared UPDATE per set of changed fields (a few: the engine changes the state, the cursor, the pause mode, …),
   * a field set to null written as null (drizzle cannot turn a placeholder's null into a time).
   */
  const orderUpdates: Record<string, (values: OrderUpdate) => Promise<ReleaseOrderRow[]>> = {};
  const orderUpdate = (changes: OrderChanges) => {
    const fields = (Object.keys(changes) as (keyof OrderChanges)[]).filter((k) => changes[k] !== undefined).sort();
    // What the statement depends on, taken now (not the caller's object, read later when it is built).
    const nulls = new Set(fields.filter((f) => changes[f] === null));
    const key = fields.map((f) => (nulls.has(f) ? `${f}=null` : f)).join(',');
    let update = orderUpdates[key];
    if (!update) {
      const set = (value: <K extends keyof OrderUpdate & string>(key: K) => OrderUpdate[K]) => Object.fromEntries(fields.map((f) => [f, nulls.has(f) ? null : value(f)]));
      update = preparedWrite<ReleaseOrderRow, OrderUpdate>(d, (db, value) =>
        db
          .update(releaseOrders)
          .set({ ...set(value), version: value('version'), updatedAt: value('updatedAt') })
          .where(and(eq(releaseOrders.id, value('id')), eq(releaseOrders.version, value('expectedVersion'))))
          .returning(),
      );
      orderUpdates[key] = update;
    }
    return update;
  };
  // Every submission freezes its draft into a revision: the two statements built once (both in createRevision's write).
  const lastRevisionNumber = preparedRead<{ n: number | null }, { environmentId: number }>(d, (db, value) =>
    db.select({ n: max(revisions.number) }).from(revisions).where(eq(revisions.environmentId, value('environmentId'))),
  );
  const insertRevision = preparedInTransaction<RevisionRow, Omit<RevisionRow, 'id'>>(d, (db, value) =>
    db
      .insert(revisions)
      .values({
        environmentId: value('environmentId'),
        number: value('number'),
        image: value('image'),
        imageTag: value('imageTag'),
        settings: value('settings'),
        createdBy: value('createdBy'),
        createdAt: value('createdAt'),
      })
      .returning(),
  );
  // The dataloaders' batch reads.
  const revisionsByIds = preparedByIds<RevisionRow>(d, (db, idIn) => db.select().from(revisions).where(idIn(revisions.id)));
  const ordersByIds = preparedByIds<ReleaseOrderRow>(d, (db, idIn) => db.select().from(releaseOrders).where(idIn(releaseOrders.id)));
  const activeOrdersByEnvironmentIds = preparedByIds<ReleaseOrderRow>(d, (db, idIn) =>
    db.select().from(releaseOrders).where(and(idIn(releaseOrders.environmentId), inArray(releaseOrders.state, [...ACTIVE_STATES]))),
  );
  const transitionsByOrderIds = preparedByIds<OrderTransitionRow>(d, (db, idIn) => db.select().from(orderTransitions).where(idIn(orderTransitions.orderId)).orderBy(orderTransitions.id));
  const failuresByOrderIds = preparedByIds<InstanceFailureRow>(d, (db, idIn) => db.select().from(instanceFailures).where(idIn(instanceFailures.orderId)).orderBy(instanceFailures.id));
  const revisionByNumber = preparedRead<RevisionRow, { environmentId: number; number: number }>(d, (db, value) =>
    db.select().from(revisions).where(and(eq(revisions.environmentId, value('environmentId')), eq(revisions.number, value('number')))).limit(1),
  );
  return {
    /** Freezes a new revision numbered after the environment's last one. */
    createRevision: (r: NewRevision, now: Date): Promise<RevisionRow> =>
      d.write(async () => {
        const last = (await lastRevisionNumber({ environmentId: r.environmentId }))[0]?.n ?? 0;
        const row = {
          environmentId: r.environmentId,
          number: last + 1,
          image: r.image,
          imageTag: r.imageTag,
          settings: sealSettings(cipher, r.settings),
          createdBy: r.createdBy,
          createdAt: now,
        };
        return openRow(cipher, (await insertRevision(row))[0]!);
      }),
    revision: async (environmentId: number, number: number): Promise<RevisionRow | undefined> => openRow(cipher, one(await revisionByNumber({ environmentId, number }))),
    revisionsByIds: async (ids: number[]): Promise<RevisionRow[]> => open(await revisionsByIds(ids)),
    /** Revisions by environment and number, in one statement (those that exist). */
    revisionsByKeys: (keys: readonly RevisionKey[]): Promise<RevisionRow[]> => {
      if (!keys.length) return Promise.resolve([]);
      const where = d.dialect.pairsIn(revisions.environmentId, revisions.number, keys.map((k) => [k.environmentId, k.number] as const));
      return d.read(async (db) => open(await db.select().from(revisions).where(where)));
    },
    /** A page of each environment's revisions (newest first), by environment then number descending. */
    revisionsPages: (environmentIds: readonly number[], offset: number, limit: number): Promise<RevisionRow[]> => {
      if (!environmentIds.length) return Promise.resolve([]);
      const page = rankedWithin(d.dialect, { table: revisions, id: revisions.id, group: revisions.environmentId, groups: environmentIds, orderBy: sql`${revisions.number} DESC`, offset, limit });
      return d.read(async (db) => open(await db.select().from(revisions).where(page).orderBy(asc(revisions.environmentId), desc(revisions.number))));
    },
    /** How many revisions each environment has (environments without any are left out). */
    countRevisionsOf: async (environmentIds: readonly number[]): Promise<Map<number, number>> => {
      if (!environmentIds.length) return new Map();
      const rows = await d.read((db) => db.select({ id: revisions.environmentId, n: count() }).from(revisions).where(inIds(revisions.environmentId, environmentIds)).groupBy(revisions.environmentId));
      return new Map(rows.map((r) => [r.id, r.n]));
    },
    /** An environment's revisions, newest first. */
    revisionsOf: (environmentId: number, offset: number, limit: number): Promise<RevisionRow[]> =>
      d.read(async (db) => open(await db.select().from(revisions).where(eq(revisions.environmentId, environmentId)).orderBy(desc(revisions.number)).limit(limit).offset(offset))),
    countRevisions: (environmentId: number): Promise<number> =>
      d.read(async (db) => one(await db.select({ n: count() }).from(revisions).where(eq(revisions.environmentId, environmentId)))?.n ?? 0),

    createOrder: async (o: NewOrder, now: Date): Promise<ReleaseOrderRow> =>
      (
        await insertOrder({
          environmentId: o.environmentId,
          kind: o.kind,
          fromRevision: o.fromRevision,
          toRevision: o.toRevision,
          plan: o.plan,
          pauseMode: o.pauseMode,
          state: o.state,
          direction: o.direction,
          cursor: o.cursor,
          version: 1,
          description: o.description,
          createdBy: o.createdBy,
          createdAt: now,
          updatedAt: now,
        })
      )[0]!,
    ordersByIds: (ids: number[]): Promise<ReleaseOrderRow[]> => ordersByIds(ids),
    /** One order by its ID (the engine reads it on most passes: its SQL is built once). */
    order: async (id: number): Promise<ReleaseOrderRow | undefined> => one(await orderById({ id })),
    /**
     * Whether `known` is still the order as stored: its version (every write of an order moves it: updateOrder) and
     * time of change, read without the rest of the row. Undefined when the order no longer exists.
     */
    isCurrent: async (known: Pick<ReleaseOrderRow, 'id' | 'version' | 'updatedAt'>): Promise<boolean | undefined> => {
      const stamp = one(await orderStamp({ id: known.id }));
      return stamp && stamp.version === known.version && stamp.updatedAt.getTime() === known.updatedAt.getTime();
    },
    /** The environment's order in progress (deploying, paused, failed or rolling back), if any. */
    activeOrderOf: async (environmentId: number): Promise<ReleaseOrderRow | undefined> => one(await activeOrder({ environmentId })),
    /** The orders in progress of these environments (at most one each). */
    activeOrdersOf: (environmentIds: readonly number[]): Promise<ReleaseOrderRow[]> => activeOrdersByEnvironmentIds(environmentIds),
    /** Every order in progress, oldest first: what the reconciler resumes at start-up. */
    activeOrders: (): Promise<ReleaseOrderRow[]> => d.read((db) => db.select().from(releaseOrders).where(inArray(releaseOrders.state, [...ACTIVE_STATES])).orderBy(releaseOrders.id)),
    /** The environment's orders, newest first. */
    ordersOf: (environmentId: number, offset: number, limit: number): Promise<ReleaseOrderRow[]> =>
      d.read((db) => db.select().from(releaseOrders).where(eq(releaseOrders.environmentId, environmentId)).orderBy(desc(releaseOrders.id)).limit(limit).offset(offset)),
    /** A page of each environment's orders (newest first), by environment then id descending. */
    ordersPages: (environmentIds: readonly number[], offset: number, limit: number): Promise<ReleaseOrderRow[]> => {
      if (!environmentIds.length) return Promise.resolve([]);
      const page = rankedWithin(d.dialect, { table: releaseOrders, id: releaseOrders.id, group: releaseOrders.environmentId, groups: environmentIds, orderBy: sql`${releaseOrders.id} DESC`, offset, limit });
      return d.read((db) => db.select().from(releaseOrders).where(page).orderBy(asc(releaseOrders.environmentId), desc(releaseOrders.id)));
    },
    /** How many orders each environment has (environments without any are left out). */
    countOrdersOf: async (environmentIds: readonly number[]): Promise<Map<number, number>> => {
      if (!environmentIds.length) return new Map();
      const rows = await d.read((db) =>
        db.select({ id: releaseOrders.environmentId, n: count() }).from(releaseOrders).where(inIds(releaseOrders.environmentId, environmentIds)).groupBy(releaseOrders.environmentId),
      );
      return new Map(rows.map((r) => [r.id, r.n]));
    },
    countOrders: (environmentId: number): Promise<number> =>
      d.read(async (db) => one(await db.select({ n: count() }).from(releaseOrders).where(eq(releaseOrders.environmentId, environmentId)))?.n ?? 0),
    /** The last completed order of the environment: the revision it left running. */
    lastCompletedOrderOf: async (environmentId: number): Promise<ReleaseOrderRow | undefined> => one(await lastCompletedOrder({ environmentId })),
    /** The last completed (or rolled back) order of each of these environments, as lastCompletedOrderOf picks it. */
    lastCompletedOrdersOf: (environmentIds: readonly number[]): Promise<ReleaseOrderRow[]> => {
      if (!environmentIds.length) return Promise.resolve([]);
      const last = rankedWithin(d.dialect, {
        table: releaseOrders,
        id: releaseOrders.id,
        group: releaseOrders.environmentId,
        groups: environmentIds,
        // NULLS LAST on both: SQLite puts NULLs last in DESC order already, PostgreSQL first.
        orderBy: sql`${releaseOrders.finishedAt} DESC NULLS LAST, ${releaseOrders.id} DESC`,
        filter: inArray(releaseOrders.state, FINISHED_RUNNING),
        offset: 0,
        limit: 1,
      });
      return d.read((db) => db.select().from(releaseOrders).where(last));
    },
    /**
     * `UPDATE … WHERE id = ? AND version = ?`. A write that changes nothing is skipped (the row is
     * returned as it is). Returns undefined when someone wrote since `current` was read.
     */
    updateOrder: async (current: ReleaseOrderRow, changes: OrderChanges, now: Date): Promise<ReleaseOrderRow | undefined> => {
      const changed = Object.entries(changes).some(([k, v]) => !same(v, current[k as keyof ReleaseOrderRow]));
      if (!changed) return current;
      return one(await orderUpdate(changes)({ ...changes, id: current.id, version: current.version + 1, updatedAt: now, expectedVersion: current.version }));
    },

    addTransition: async (t: NewTransition): Promise<OrderTransitionRow> =>
      (await insertTransition({ orderId: t.orderId, fromState: t.fromState, toState: t.toState, actor: t.actor, reason: t.reason, at: t.at }))[0]!,
    transitionsOf: (orderIds: number[]): Promise<OrderTransitionRow[]> => transitionsByOrderIds(orderIds),

    /** Records a failure unless the same instance already has an unresolved one in this order. */
    addFailure: (f: NewFailure): Promise<void> =>
      d.write(async (db) => {
        const [open] = await db
          .select({ id: instanceFailures.id })
          .from(instanceFailures)
          .where(and(eq(instanceFailures.orderId, f.orderId), eq(instanceFailures.instanceName, f.instanceName), isNull(instanceFailures.resolvedAt)))
          .limit(1);
        if (!open) await db.insert(instanceFailures).values(f);
      }),
    failuresOf: (orderIds: number[]): Promise<InstanceFailureRow[]> => failuresByOrderIds(orderIds),
    openFailuresOf: (orderId: number): Promise<InstanceFailureRow[]> => openFailures({ orderId }),
    resolveFailures: (orderId: number, now: Date): Promise<number> =>
      d.write(
        async (db) =>
          (await db.update(instanceFailures).set({ resolvedAt: now }).where(and(eq(instanceFailures.orderId, orderId), isNull(instanceFailures.resolvedAt))).returning({ id: instanceFailures.id }))
            .length,
      ),
    /** Whether any environment of the app has an order in progress. */
    activeOrderOfApp: (appId: number): Promise<{ id: number } | null> =>
      d.read(
        async (db) =>
          one(
            await db
              .select({ id: releaseOrders.id })
              .from(releaseOrders)
              .where(and(inArray(releaseOrders.state, [...ACTIVE_STATES]), sql`${releaseOrders.environmentId} IN (SELECT ${environments.id} FROM ${environments} WHERE ${environments.appId} = ${appId})`))
              .limit(1),
          ) ?? null,
      ),
  };
}

export type ReleasesRepository = ReturnType<typeof releasesRepository>;
