import type { Context } from './context.js';

/** Who performs an action: the name of the caller's API token. */
export function actorOf(ctx: Pick<Context, 'viewer'>): string {
  return ctx.viewer?.name ?? 'anonymous';
}
