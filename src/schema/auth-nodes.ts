/**
 * `node(id:)` and `nodes(ids:)` load only what the caller may see: an object of an app the caller
 * has no role on is answered as null, exactly like an ID that names nothing. (The app-owned types'
 * own rules, see auth-rules.ts `ownedByApp`, would refuse its fields anyway.)
 */
import { mayActOnApp } from '../auth/roles.js';
import { APP_OWNED_TYPES, appIdOfLocal, primeAppIds } from './auth-app-ids.js';
import type { Context } from './context.js';

type DecodedId = { typename: string; id: string };

/** Whether the caller may see the object that a decoded global ID names (true for types that belong to no app). */
export async function nodeVisible(ctx: Context, id: DecodedId): Promise<boolean> {
  if (!(APP_OWNED_TYPES as readonly string[]).includes(id.typename)) return true;
  if (ctx.viewer?.admin) return true;
  const appId = await appIdOfLocal(ctx, id.typename, id.id);
  return appId !== null && mayActOnApp(ctx.viewer, appId, 'VIEWER');
}

/**
 * The objects `load` finds for `ids` (all of them: the relay plugin's loader always loads the
 * field's own arguments), with null in the place of every one the caller may not see.
 */
export async function visibleNodes(ctx: Context, ids: DecodedId[], load: (ids: DecodedId[]) => Promise<unknown[]>): Promise<unknown[]> {
  // For admins too: the types' own rules (ownedByApp) look up each object's app, one read per object unless primed —
  // except an App's and an Environment's, which their rows tell (an admin sees them anyway: nothing to read for them).
  await primeAppIds(ctx, ctx.viewer?.admin ? ids.filter((id) => id.typename !== 'App' && id.typename !== 'Environment') : ids);
  const shown = await Promise.all(ids.map((id) => nodeVisible(ctx, id)));
  if (!shown.some(Boolean)) return ids.map(() => null);
  const loaded = await load(ids);
  return loaded.map((node, i) => (shown[i] ? node : null));
}
