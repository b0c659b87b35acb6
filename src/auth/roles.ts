import { APP_ROLES, type AppRoleName } from '../db/auth-tables.js';

/** Who calls: the API token the request carried, with its roles. */
export interface Viewer {
  tokenId: number;
  /** The token's name: the actor recorded in histories and the audit log. */
  name: string;
  /** Admins may do everything, on every app. */
  admin: boolean;
  /** The token's role on each app it is a member of, by app id. */
  roles: ReadonlyMap<number, AppRoleName>;
  /** When the token expires (its open subscriptions end then); null or absent: never. */
  expiresAt?: Date | null;
}

/** The longest delay a Node timer takes; a later expiry is not scheduled (the token outlives any stream). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A signal that aborts when the viewer's token expires (never, for a token without expiry or one
 * that expires later than a timer can wait).
 */
export function expirySignal(viewer: Viewer, now: number = Date.now()): AbortSignal | null {
  if (!viewer.expiresAt) return null;
  const ms = viewer.expiresAt.getTime() - now;
  if (ms > MAX_TIMER_MS) return null;
  return AbortSignal.timeout(Math.max(0, ms));
}

/** Whether `held` includes `needed` (OWNER ⊃ DEPLOYER ⊃ VIEWER). */
export function roleIncludes(held: AppRoleName, needed: AppRoleName): boolean {
  return APP_ROLES.indexOf(held) >= APP_ROLES.indexOf(needed);
}

/** Whether the viewer may act on the app with `needed`'s rights: an admin always; otherwise by its role there. */
export function mayActOnApp(viewer: Viewer | undefined, appId: number, needed: AppRoleName): boolean {
  if (!viewer) return false;
  if (viewer.admin) return true;
  const held = viewer.roles.get(appId);
  return held !== undefined && roleIncludes(held, needed);
}

/** The apps the viewer can see (all, for an admin: `'all'`). */
export function visibleApps(viewer: Viewer | undefined): 'all' | number[] {
  if (!viewer) return [];
  return viewer.admin ? 'all' : [...viewer.roles.keys()];
}
