/**
 * Which app an ID belongs to, for the access rules (src/schema/auth-rules.ts) and the audit trail: the global ID of an App,
 * Environment, DeploymentConfig, ReleaseOrder, Revision or Instance, or a terminal session's ID,
 * resolved to its app's database ID through the repositories. Answers are cached per request
 * (per context object), since an environment never moves to another app.
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

const caches = new WeakMap<object, Map<string, number | null>>();

function cached(ctx: AppIdContext, key: string, load: () => number | null): number | null {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new Map()));
  if (!cache.has(key)) cache.set(key, load());
  return cache.get(key)!;
}

/**
 * The app of an environment row already at hand, remembered for this request: the configurations,
 * orders and instances reached through it then find their app without a database read.
 */
export function appIdOfEnvironmentRow(ctx: AppIdContext, environment: { id: number; appId: number }): number {
  cached(ctx, `Environment:${environment.id}`, () => environment.appId);
  return environment.appId;
}

/** The app of an environment (by database ID); null when there is no such environment. */
export function appIdOfEnvironment(ctx: AppIdContext, environmentId: number): number | null {
  return cached(ctx, `Environment:${environmentId}`, () => ctx.repos.apps.environmentsByIds([environmentId])[0]?.appId ?? null);
}

/** A database ID spelled as cairn spells it (`1`, never `01`, `0x1` or ` 1`); null otherwise. */
const positive = (s: string): number | null => {
  const n = Number(s);
  return /^[1-9][0-9]*$/.test(s) && Number.isSafeInteger(n) ? n : null;
};

/** The app that the object `typename`/`localId` belongs to; null when it names nothing (or a type that belongs to no app). */
export function appIdOfLocal(ctx: AppIdContext, typename: string, localId: string): number | null {
  if (typename === 'Instance') {
    const at = localId.indexOf('/');
    const envId = at > 0 ? positive(localId.slice(0, at)) : null;
    return envId === null || at === localId.length - 1 ? null : appIdOfEnvironment(ctx, envId);
  }
  const id = positive(localId);
  if (id === null) return null;
  return cached(ctx, `${typename}:${id}`, () => {
    const env = (environmentId: number | undefined) => (environmentId === undefined ? null : appIdOfEnvironment(ctx, environmentId));
    switch (typename) {
      case 'App':
        return ctx.repos.apps.byIds([id])[0]?.id ?? null;
      case 'Environment':
        return ctx.repos.apps.environmentsByIds([id])[0]?.appId ?? null;
      case 'DeploymentConfig':
        return env(ctx.repos.configs.byIds([id])[0]?.environmentId);
      case 'ReleaseOrder':
        return env(ctx.repos.releases.order(id)?.environmentId);
      case 'Revision':
        return env(ctx.repos.releases.revisionsByIds([id])[0]?.environmentId);
      default:
        return null;
    }
  });
}

/**
 * The app that a global ID of one of `typenames` belongs to; null when the ID is malformed (or not
 * in its one spelling, see ids.ts), of another type, or names nothing.
 */
export function appIdOfGlobalId(ctx: AppIdContext, globalId: GlobalIdInput | null | undefined, typenames: readonly AppOwnedType[]): number | null {
  if (globalId == null) return null;
  const decoded = typeof globalId === 'string' ? decodeId(globalId) : globalId;
  if (decoded === null) return null;
  if (!(typenames as readonly string[]).includes(decoded.typename)) return null;
  return appIdOfLocal(ctx, decoded.typename, decoded.id);
}

/** The app of the environment a terminal session runs in; null for an unknown (or ended) session. */
export function appIdOfTerminal(ctx: AppIdContext, sessionId: string | number | null | undefined): number | null {
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
export function primeAppIds(ctx: AppIdContext, ids: readonly { typename: string; id: string }[]): void {
  const cache = caches.get(ctx) ?? new Map<string, number | null>();
  caches.set(ctx, cache);
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
  const viaEnvironment: [string, { id: number; environmentId: number }[]][] = [
    ['DeploymentConfig', wanted.has('DeploymentConfig') ? configs.byIds(wanted.get('DeploymentConfig')!) : []],
    ['ReleaseOrder', wanted.has('ReleaseOrder') ? releases.ordersByIds(wanted.get('ReleaseOrder')!) : []],
    ['Revision', wanted.has('Revision') ? releases.revisionsByIds(wanted.get('Revision')!) : []],
  ];
  const environmentIds = [...(wanted.get('Environment') ?? []), ...viaEnvironment.flatMap(([, rows]) => rows.map((r) => r.environmentId))].filter((n) => !cache.has(`Environment:${n}`));
  found('Environment', environmentIds, environmentIds.length ? apps.environmentsByIds(environmentIds) : [], (e: { appId: number }) => e.appId);
  if (wanted.has('App')) found('App', wanted.get('App'), apps.byIds(wanted.get('App')!), (a: { id: number }) => a.id);
  for (const [type, rows] of viaEnvironment) found(type, wanted.get(type), rows, (r: { environmentId: number }) => cache.get(`Environment:${r.environmentId}`) ?? null);
}

