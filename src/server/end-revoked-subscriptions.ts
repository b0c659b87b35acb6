import type { Plugin } from 'graphql-yoga';
import type { Context } from '../schema/context.js';
import { endOnAbort } from './end-subscriptions.js';

/**
 * Completes a token's open subscriptions (SSE and graphql-ws) as soon as it is revoked
 * (`ctx.tokenEvents`, announced by revokeApiToken): the client sees a clean end, and its attempt to
 * subscribe again is refused with 401.
 */
export function useEndRevokedSubscriptions(): Plugin<Context> {
  return {
    onSubscribe({ args }) {
      const ctx = args.contextValue as Context;
      if (!ctx.viewer || !ctx.tokenEvents) return undefined;
      const signal = ctx.tokenEvents.revocation(ctx.viewer.tokenId);
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
