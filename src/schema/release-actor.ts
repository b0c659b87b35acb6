import type { Context } from './context.js';

/** The request header naming who acts, until access control exists (issue 6). */
export const ACTOR_HEADER = 'x-cairn-actor';

/** Who performs a release action: the `x-cairn-actor` header (trimmed, at most 100 characters), else "anonymous". */
export function actorOf(ctx: Pick<Context, 'headers'>): string {
  const value = ctx.headers?.get(ACTOR_HEADER)?.trim().slice(0, 100);
  return value || 'anonymous';
}
