/**
 * The access rules every field and type uses with Pothos scope-auth (`authScopes`). Roles: an admin
 * token may do everything; on one app, OWNER (configuration, releases, members) ⊃ DEPLOYER
 * (releases, remote login) ⊃ VIEWER (reads, events, logs). Any valid token reads what belongs to no
 * app (clusters, business types, official images, templates); app creation and template writes are
 * for admins.
 *
 * IDs that name nothing must not tell a caller which apps exist:
 * - a read by ID (`app`, `releaseOrder`, `previewRelease`, `node`, `nodes`) answers an ID of an app
 *   the caller has no role on exactly as it answers an ID that names nothing (null, or NotFoundError);
 * - an action or a stream by ID (mutations, subscriptions) is refused with FORBIDDEN, for a caller
 *   that is not an admin, both when the ID names nothing and when it names an app where the caller
 *   lacks the role; admins get the usual NotFoundError (or an empty stream) for an ID that names nothing.
 */
import { RequestCache } from '@pothos/plugin-scope-auth';
import type { AppRoleName } from '../db/auth-tables.js';
import { appIdOfGlobalId, type AppOwnedType, type GlobalIdInput } from './auth-app-ids.js';
import type { Context } from './context.js';

/** Any caller with a valid token. */
export const AUTHENTICATED = { authenticated: true } as const;

/** Admin tokens only. */
export const ADMIN_ONLY = { admin: true } as const;

/**
 * The type-level rule of a type whose objects are only ever reached through a field that already
 * checked the caller's rights (payloads, errors, events, connection pages …): it needs a valid token
 * and nothing more. A type that `node(id:)` can load must never use it: give it `ownedByApp`.
 */
export const REACHED_THROUGH_PARENT = { authenticated: true } as const;

type AppScope = { app: { id: number; role: AppRoleName } };
type Scopes = typeof AUTHENTICATED | typeof ADMIN_ONLY | AppScope;

/**
 * What a root field's rule asks of the caller, kept on the rule so that its description can be
 * checked against it (access-text.ts): an action (or stream) on an app needing `role`, or a read by
 * ID that answers an app without a role as it answers an ID that names nothing.
 */
export type Access =
  | { kind: 'action'; role: AppRoleName; unknownIds: 'admins' | 'everyone' }
  | { kind: 'read'; role: AppRoleName };

/** The rule, marked with what it asks (see Access). */
export function withAccess<F extends object>(rule: F, access: Access): F & { access: Access } {
  return Object.assign(rule, { access });
}

/** A value, or the promise of it (an app ID known at once, or one read from the database). */
type MaybePromise<T> = T | Promise<T>;

/** Finds the app that a field's arguments name; null when they name nothing. */
export type AppIdOfArgs<Args> = (args: Args, ctx: Context) => MaybePromise<number | null>;

/** `then` applied to `value`: at once when it is known, else once it is read (a known app ID costs no promise). */
function mapMaybe<T, U>(value: MaybePromise<T>, then: (known: T) => U): MaybePromise<U> {
  return value instanceof Promise ? value.then(then) : then(value);
}

/**
 * An action on one app (a mutation or a subscription): at least `role` on the app the arguments
 * name. An ID that names nothing passes for admins only (the resolver then reports it), so that
 * others cannot tell it from an app they have no role on — unless `unknownIds` is 'everyone', for
 * IDs that are unguessable secrets and tell nothing about apps (terminal sessions).
 */
export function appRule<Args>(role: AppRoleName, appIdOf: AppIdOfArgs<Args>, unknownIds: 'admins' | 'everyone' = 'admins') {
  const rule = (_parent: unknown, args: Args, ctx: Context): MaybePromise<Scopes> =>
    mapMaybe(appIdOf(args, ctx), (appId): Scopes => {
      if (appId === null) return unknownIds === 'admins' ? ADMIN_ONLY : AUTHENTICATED;
      return { app: { id: appId, role } };
    });
  return withAccess(rule, { kind: 'action', role, unknownIds });
}

/** Finds the app through the global ID that `pick` takes from the arguments (one of `typenames`). */
export function idIn<Args>(pick: (args: Args) => GlobalIdInput | null | undefined, ...typenames: AppOwnedType[]): AppIdOfArgs<Args> {
  return (args, ctx) => appIdOfGlobalId(ctx, pick(args), typenames);
}

/**
 * A read by ID: a VIEWER role on the app the arguments name. An ID that names nothing passes (the
 * resolver answers null or NotFoundError); pair it with an `unauthorizedResolver` that answers the
 * same for an app the caller has no role on.
 */
export function readRule<Args>(appIdOf: AppIdOfArgs<Args>) {
  const rule = (_parent: unknown, args: Args, ctx: Context): MaybePromise<Scopes> =>
    mapMaybe(appIdOf(args, ctx), (appId): Scopes => (appId === null ? AUTHENTICATED : { app: { id: appId, role: 'VIEWER' } }));
  return withAccess(rule, { kind: 'read', role: 'VIEWER' });
}

/**
 * The type-level rule of a type that belongs to an app: reading any of its fields needs a VIEWER
 * role on that app, however the object was reached (`node(id:)` included). An object whose app is
 * gone is for admins only.
 */
export function ownedByApp<T>(appIdOf: (parent: T, ctx: Context) => MaybePromise<number | null>) {
  return (parent: T, ctx: Context): MaybePromise<Scopes> =>
    mapMaybe(appIdOf(parent, ctx), (appId): Scopes => (appId === null ? ADMIN_ONLY : { app: { id: appId, role: 'VIEWER' } }));
}

/**
 * For a subscription's `resolve`: forgets the access checks cached for the previous event. The
 * scope-auth cache lives as long as the context, which for a subscription is its whole life, and
 * keeps every checked object: without this a long subscription would hold every event it delivered.
 */
export function freshChecksPerEvent<T>(payload: T, ctx: Context): T {
  RequestCache.clearForContext(ctx);
  return payload;
}
