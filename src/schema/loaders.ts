import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { ApiTokenRow, AppMemberRow } from '../db/auth-tables.js';
import { groupBy } from '../db/batch-sql.js';
import type { RevisionKey } from '../db/releases-repository.js';
import type { Repositories } from '../db/repositories.js';
import type { AppRow, DeploymentConfigRow, EnvironmentRow, InstanceFailureRow, OrderTransitionRow, ReleaseOrderRow, RevisionRow } from '../db/tables.js';
import type { Context } from './context.js';

/** A page of a list that belongs to an environment: its ranks offset+1 … offset+limit. */
export interface PageKey {
  environmentId: number;
  offset: number;
  limit: number;
}

/**
 * The per-request dataloaders of the fields that read the database: every resolver of one level of
 * a query (50 apps' environments, 100 environments' configs …) asks its loader, and the loader reads
 * them all in one statement — so the statements of a query do not grow with the page size.
 *
 * They batch but do not cache (`cache: false`): each load reads what the database holds when its
 * batch runs, so a mutation's payload, a second mutation of the same request and each event of a
 * long subscription (whose context lives as long as it does) all see fresh rows, and nothing piles up.
 */
export interface Loaders {
  app: DataLoader<number, AppRow | null>;
  environment: DataLoader<number, EnvironmentRow | null>;
  /** An app's environments, by environment id (production first). */
  environmentsOfApp: DataLoader<number, EnvironmentRow[]>;
  /** An environment's draft configuration. */
  configOfEnvironment: DataLoader<number, DeploymentConfigRow | null>;
  /** An environment's order in progress. */
  activeOrderOfEnvironment: DataLoader<number, ReleaseOrderRow | null>;
  /** An environment's last completed or rolled-back order: the revision it left running. */
  lastCompletedOrderOfEnvironment: DataLoader<number, ReleaseOrderRow | null>;
  /** A page of an environment's orders, newest first. */
  ordersOfEnvironment: DataLoader<PageKey, ReleaseOrderRow[]>;
  orderCountOfEnvironment: DataLoader<number, number>;
  /** A revision by its environment and number. */
  revision: DataLoader<RevisionKey, RevisionRow | null>;
  /** A page of an environment's revisions, newest first. */
  revisionsOfEnvironment: DataLoader<PageKey, RevisionRow[]>;
  revisionCountOfEnvironment: DataLoader<number, number>;
  /** An order's state changes, oldest first. */
  transitionsOfOrder: DataLoader<number, OrderTransitionRow[]>;
  /** An order's instance failures (resolved ones included), oldest first. */
  failuresOfOrder: DataLoader<number, InstanceFailureRow[]>;
  /** An app's members, by token id. */
  membersOfApp: DataLoader<number, AppMemberRow[]>;
  token: DataLoader<number, ApiTokenRow | null>;
  /** A token's roles on apps, by app. */
  grantsOfToken: DataLoader<number, AppMemberRow[]>;
}

const OPTIONS = { cache: false } as const;

/** A loader of one row per key: `read` takes every key of a batch, `keyOf` finds each row's key. */
function one<K, T>(read: (keys: K[]) => Promise<T[]>, keyOf: (row: T) => K): DataLoader<K, T | null> {
  return new DataLoader(async (keys) => {
    const rows = new Map((await read([...keys])).map((row) => [keyOf(row), row]));
    return keys.map((key) => rows.get(key) ?? null);
  }, OPTIONS);
}

/** A loader of a list per key (empty for a key without rows), in the order `read` returns them. */
function many<K, T>(read: (keys: K[]) => Promise<T[]>, keyOf: (row: T) => K): DataLoader<K, T[]> {
  return new DataLoader(async (keys) => {
    const groups = groupBy(await read([...keys]), keyOf);
    return keys.map((key) => groups.get(key) ?? []);
  }, OPTIONS);
}

/** A loader of a count per environment. */
function counts(read: (environmentIds: number[]) => Promise<Map<number, number>>): DataLoader<number, number> {
  return new DataLoader(async (keys) => {
    const found = await read([...keys]);
    return keys.map((key) => found.get(key) ?? 0);
  }, OPTIONS);
}

/** A loader of pages per environment: one statement per distinct (offset, limit) in the batch — one, unless `last` made them differ. */
function pages<T>(read: (environmentIds: number[], offset: number, limit: number) => Promise<T[]>, environmentOf: (row: T) => number): DataLoader<PageKey, T[]> {
  return new DataLoader(async (keys) => {
    // The windows of a batch are read at once (one statement each).
    const windows = [...groupBy(keys, (k) => `${k.offset}:${k.limit}`)];
    const rows = await Promise.all(windows.map(([, wanted]) => read(wanted.map((k) => k.environmentId), wanted[0]!.offset, wanted[0]!.limit)));
    const results = new Map(windows.map(([window], i) => [window, groupBy(rows[i]!, environmentOf)]));
    return keys.map((k) => results.get(`${k.offset}:${k.limit}`)!.get(k.environmentId) ?? []);
  }, OPTIONS);
}

/** The loaders over one set of repositories (one request's worth). */
export function createLoaders(repos: Repositories): Loaders {
  const { apps, configs, releases, tokens } = repos;
  const revisionKey = (k: RevisionKey) => `${k.environmentId}:${k.number}`;
  return {
    app: one((ids) => apps.byIds(ids), (a) => a.id),
    environment: one((ids) => apps.environmentsByIds(ids), (e) => e.id),
    environmentsOfApp: many((ids) => apps.environmentsOfApps(ids), (e) => e.appId),
    configOfEnvironment: one((ids) => configs.byEnvironmentIds(ids), (c) => c.environmentId),
    activeOrderOfEnvironment: one((ids) => releases.activeOrdersOf(ids), (o) => o.environmentId),
    lastCompletedOrderOfEnvironment: one((ids) => releases.lastCompletedOrdersOf(ids), (o) => o.environmentId),
    ordersOfEnvironment: pages((ids, offset, limit) => releases.ordersPages(ids, offset, limit), (o) => o.environmentId),
    orderCountOfEnvironment: counts((ids) => releases.countOrdersOf(ids)),
    revision: new DataLoader(async (keys) => {
      const rows = new Map((await releases.revisionsByKeys(keys)).map((r) => [revisionKey(r), r]));
      return keys.map((k) => rows.get(revisionKey(k)) ?? null);
    }, OPTIONS),
    revisionsOfEnvironment: pages((ids, offset, limit) => releases.revisionsPages(ids, offset, limit), (r) => r.environmentId),
    revisionCountOfEnvironment: counts((ids) => releases.countRevisionsOf(ids)),
    transitionsOfOrder: many((ids) => releases.transitionsOf(ids), (t) => t.orderId),
    failuresOfOrder: many((ids) => releases.failuresOf(ids), (f) => f.orderId),
    membersOfApp: many((ids) => tokens.membersOfApps(ids), (m) => m.appId),
    token: one((ids) => tokens.byIds(ids), (t) => t.id),
    grantsOfToken: many((ids) => tokens.grantsOfTokens(ids), (m) => m.tokenId),
  };
}

/** The loaders of this request (of this context object), created on first use. */
export const loadersOf: (ctx: Context) => Loaders = createContextCache((ctx: Context) => createLoaders(ctx.repos));
