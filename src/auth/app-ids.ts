/**
 * Which app an ID belongs to, for the access rules (src/schema/auth-rules.ts) and the audit trail: the global ID of an App,
 * Environment, DeploymentConfig, ReleaseOrder, Revision or Instance, or a terminal session's ID,
 * resolved to its app's database ID through the repositories. Answers are cached per request
 * (per context object), since an environment never moves to another app: the lookup in flight is
 * cached too, so that the checks of one request that ask at once read the database once.
 */
import type { Repositories } from '../db/repositories.js';
import { decodeId } from '../domain/global-ids.js';
import type { Viewer } from './roles.js';

/** What a terminal session tells of its owner (src/live/terminal.ts's TerminalInfo has it). */
export interface TerminalOwned {
  owner: { environmentId: number; tokenId: number | null };
}

/**
 * What the lookups need of the request's context (the GraphQL Context has it): the repositories,
 * the open terminal sessions and the caller. The context object is also the cache's key.
 */
export interface AppIdContext<T extends TerminalOwned = TerminalOwned> {
  repos: Pick<Repositories, 'apps' | 'configs' | 'releases'>;
  terminals?: { get(id: string): T | undefined } | undefined;
  viewer?: Viewer | undefined;
}

/** Terminal session IDs are UUIDs: a longer text names no session and is not looked up. */
export const MAX_SESSION_ID_LENGTH = 64;

/** The node types that belong to an app: reading one needs a role on that app. */
export const APP_OWNED_TYPES = ['App', 'Environment', 'DeploymentConfig', 'ReleaseOrder', 'Revision', 'Instance'] as const;
export type AppOwnedType = (typeof APP_OWNED_TYPES)[number];

/** A global ID as a string, or as the relay plugin decodes `globalID` arguments. */
export type GlobalIdInput = string | { typename: string; id: string };

/**
 * An app's database ID (null: none): known at once when this request already found it (no promise, no database
 * read), else the promise of the lookup. Await it (`await` on a known value costs nothing that matters).
 */
export type AppIdLookup = number | null | Promise<number | null>;

/** Per request: the app of each object asked about, or the lookup under way. */
type Cache = Map<string, AppIdLookup>;
const caches = new WeakMap<object, Cache>();

function cacheOf(ctx: AppIdContext): Cache {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
  return cache;
}

function cached(ctx: AppIdContext, key: string, load: () => Promise<number | null>): AppIdLookup {
  const cache = cacheOf(ctx);
  const known = cache.get(key);
  if (known !== undefined) return known;
  const loading = load().then(
    (appId) => (cache.set(key, appId), appId),
    (error: unknown) => {
      cache.delete(key); // a failed read is not remembered: the next check reads again
      throw error;
    },
  );
  cache.set(key, loading);
  return loading;
}

/**
 * The app of an environment row already at hand, remembered for this request: the configurations,
 * orders and instances reached through it then find their app without a database read.
 */
export function appIdOfEnvironmentRow(ctx: AppIdContext, environment: { id: number; appId: number }): number {
  cacheOf(ctx).set(`Environment:${environment.id}`, environment.appId);
  return environment.appId;
}

/** The app of an environment (by database ID); null when there is no such environment. */
export function appIdOfEnvironment(ctx: AppIdContext, environmentId: number): AppIdLookup {
  return cached(ctx, `Environment:${environmentId}`, async () => (await ctx.repos.apps.environmentsByIds([environmentId]))[0]?.appId ?? null);
}

/** A database ID spelled as cairn spells it (`1`, never `01`, `0x1` or ` 1`); null otherwise. */
const positive = (s: string): number | null => {
  const n = Number(s);
  return /^[1-9][0-9]*$/.test(s) && Number.isSafeInteger(n) ? n : null;
};

/** The app that the object `typename`/`localId` belongs to; null when it names nothing (or a type that belongs to no app). */
export function appIdOfLocal(ctx: AppIdContext, typename: string, localId: string): AppIdLookup {
  if (typename === 'Instance') {
    const at = localId.indexOf('/');
    const envId = at > 0 ? positive(localId.slice(0, at)) : null;
    return envId === null || at === localId.length - 1 ? null : appIdOfEnvironment(ctx, envId);
  }
  const id = positive(localId);
  if (id === null) return null;
  return cached(ctx, `${typename}:${id}`, async () => {
    const env = (environmentId: number | undefined) => (environmentId === undefined ? null : appIdOfEnvironment(ctx, environmentId));
    switch (typename) {
      case 'App':
        return (await ctx.repos.apps.byIds([id]))[0]?.id ?? null;
      case 'Environment':
        return (await ctx.repos.apps.environmentsByIds([id]))[0]?.appId ?? null;
      case 'DeploymentConfig':
        return env((await ctx.repos.configs.byIds([id]))[0]?.environmentId);
      case 'ReleaseOrder':
        return env((await ctx.repos.releases.order(id))?.environmentId);
      case 'Revision':
        return env((await ctx.repos.releases.revisionsByIds([id]))[0]?.environmentId);
      default:
        return null;
    }
  });
}

/**
 * The app that a global ID of one of `typenames` belongs to; null when the ID is malformed (or not
 * in its one spelling, see ids.ts), of another type, or names nothing.
 */
export function appIdOfGlobalId(ctx: AppIdContext, globalId: GlobalIdInput | null | undefined, typenames: readonly AppOwnedType[]): AppIdLookup {
  if (globalId == null) return null;
  const decoded = typeof globalId === 'string' ? decodeId(globalId) : globalId;
  if (decoded === null) return null;
  if (!(typenames as readonly string[]).includes(decoded.typename)) return null;
  return appIdOfLocal(ctx, decoded.typename, decoded.id);
}

/** The app of the environment a terminal session runs in; null for an unknown (or ended) session. */
export function appIdOfTerminal(ctx: AppIdContext, sessionId: string | number | null | undefined): AppIdLookup {
  const info = ownTerminal(ctx, sessionId);
  return info ? appIdOfEnvironment(ctx, info.owner.environmentId) : null;
}

/**
 * The terminal session with this ID if the caller's token opened it. Another token's session is
 * as unknown as a missing one: a session is a shell in production, not shared by its ID alone.
 */
export function ownTerminal<T extends TerminalOwned>(ctx: AppIdContext<T>, sessionId: string | number | null | undefined): T | undefined {
  if (sessionId == null || String(sessionId).length > MAX_SESSION_ID_LENGTH) return undefined;
  const info = ctx.terminals?.get(String(sessionId));
  if (!info || (info.owner.tokenId !== null && info.owner.tokenId !== ctx.viewer?.tokenId)) return undefined;
  return info;
}

/**
 * Finds the apps of many objects at once — at most one statement per type, one for their
 * environments — and remembers them for this request, so that the checks of `nodes(ids:)` that
 * follow read no database whatever the number of IDs.
 */
export async function primeAppIds(ctx: AppIdContext, ids: readonly { typename: string; id: string }[]): Promise<void> {
  const cache = cacheOf(ctx);
  const wanted = new Map<string, number[]>();
  for (const { typename, id } of ids) {
    const at = typename === 'Instance' ? id.indexOf('/') : -1;
    const type = typename === 'Instance' ? 'Environment' : typename;
    const n = positive(typename === 'Instance' ? id.slice(0, Math.max(at, 0)) : id);
    if (n === null || !(APP_OWNED_TYPES as readonly string[]).includes(type) || cache.has(`${type}:${n}`)) continue;
    wanted.set(type, [...(wanted.get(type) ?? []), n]);
  }
  const { apps, configs, releases } = ctx.repos;
  const found = (type: string, want: number[] | undefined, rows: { id: number }[], appOf: (row: never) => number | null) => {
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const n of want ?? []) {
      const row = byId.get(n);
      cache.set(`${type}:${n}`, row ? appOf(row as never) : null);
    }
  };
  // Configurations, orders and revisions name their environment: read those with the environments asked for.
  const [configRows, orderRows, revisionRows, appRows] = await Promise.all([
    wanted.has('DeploymentConfig') ? configs.byIds(wanted.get('DeploymentConfig')!) : [],
    wanted.has('ReleaseOrder') ? releases.ordersByIds(wanted.get('ReleaseOrder')!) : [],
    wanted.has('Revision') ? releases.revisionsByIds(wanted.get('Revision')!) : [],
    wanted.has('App') ? apps.byIds(wanted.get('App')!) : [],
  ]);
  const viaEnvironment: [string, { id: number; environmentId: number }[]][] = [
    ['DeploymentConfig', configRows],
    ['ReleaseOrder', orderRows],
    ['Revision', revisionRows],
  ];
  // Environments already known, or being looked up by another check of this request, are not read again.
  const environmentIds = [...new Set([...(wanted.get('Environment') ?? []), ...viaEnvironment.flatMap(([, rows]) => rows.map((r) => r.environmentId))])].filter(
    (n) => !cache.has(`Environment:${n}`),
  );
  found('Environment', environmentIds, environmentIds.length ? await apps.environmentsByIds(environmentIds) : [], (e: { appId: number }) => e.appId);
  if (wanted.has('App')) found('App', wanted.get('App'), appRows, (a: { id: number }) => a.id);
  for (const [type, rows] of viaEnvironment) {
    const appOfRow = new Map<number, number | null>();
    // Known now, or being looked up by another check of this request (then awaited).
    for (const r of rows) appOfRow.set(r.id, await (cache.get(`Environment:${r.environmentId}`) ?? null));
    found(type, wanted.get(type), rows, (r: { id: number }) => appOfRow.get(r.id) ?? null);
  }
}

