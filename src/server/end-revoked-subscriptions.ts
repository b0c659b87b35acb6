import type { Plugin } from 'graphql-yoga';
import { expirySignal } from '../auth/roles.js';
import { memberEndOf } from '../live/fanout/member-end.js';
import type { Context } from '../schema/context.js';
import { endOnAbort } from './end-subscriptions.js';

/**
 * Completes a token's open subscriptions (SSE and graphql-ws) as soon as it is revoked, loses a
 * role (`ctx.tokenEvents`, announced by revokeApiToken, setAppMember and removeAppMember) or expires: the client
 * sees a clean end; subscribing again is refused (401) for a revoked token, and checked against the
 * current roles for a demoted one. A grouped member (src/live/fanout/member-end.ts) is ended by the
 * token's signals themselves (one listener per token for all its members), without a wrapper.
 */
export function useEndRevokedSubscriptions(): Plugin<Context> {
  return {
    onSubscribe({ args }) {
      const ctx = args.contextValue as Context;
      if (!ctx.viewer) return undefined;
      const reduced = ctx.tokenEvents.rightsReducedSignal(ctx.viewer.tokenId);
      const expiry = expirySignal(ctx.viewer);
      return {
        onSubscribeResult({ result, setResult }) {
          const member = memberEndOf(result);
          if (member) {
            member.endWhen(reduced);
            if (expiry) member.endWhen(expiry);
          } else if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
            const signal = expiry ? AbortSignal.any([reduced, expiry]) : reduced;
            setResult(endOnAbort(result as AsyncIterable<unknown>, signal) as never);
          }
        },
      };
    },
  };
}
