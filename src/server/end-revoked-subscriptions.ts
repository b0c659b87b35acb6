import type { Plugin } from 'graphql-yoga';
import { expirySignal } from '../auth/roles.js';
import type { Context } from '../schema/context.js';
import { endOnAbort } from './end-subscriptions.js';

/**
 * Completes a token's open subscriptions (SSE and graphql-ws) as soon as it is revoked, loses a
 * role (`ctx.tokenEvents`, announced by revokeApiToken, setAppMember and removeAppMember) or expires: the client
 * sees a clean end; subscribing again is refused (401) for a revoked token, and checked against the
 * current roles for a demoted one.
 */
export function useEndRevokedSubscriptions(): Plugin<Context> {
  return {
    onSubscribe({ args }) {
      const ctx = args.contextValue as Context;
      if (!ctx.viewer) return undefined;
      const reduced = ctx.tokenEvents.rightsReducedSignal(ctx.viewer.tokenId);
      const expiry = expirySignal(ctx.viewer);
      const signal = expiry ? AbortSignal.any([reduced, expiry]) : reduced;
      return {
        onSubscribeResult({ result, setResult }) {
          if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
            setResult(endOnAbort(result as AsyncIterable<unknown>, signal) as never);
          }
        },
      };
    },
  };
}
