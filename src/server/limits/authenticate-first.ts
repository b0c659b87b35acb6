import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.js';
import type { ContextFactory } from '../types.js';
import type { ServerContext } from '../yoga-app.js';

/**
 * Over HTTP (and SSE): authenticates the caller and counts the operation against its token's rate as
 * soon as the request's GraphQL parameters are read, before the operation is parsed or validated —
 * so an anonymous request costs no parsing, and operations that the query limits refuse count
 * against the rate too. The context built here is the operation's context (`contextOf`), so the
 * context factory still runs once per operation. (graphql-ws does the same in its own preparation.)
 * Over node:http the token gate has already done both before the body was read (`authenticated` in
 * the server context): nothing is left to do here. This remains for in-process `yoga.fetch`.
 */
export function useAuthenticateFirst(contextFactory: ContextFactory, admit: (tokenId: number) => GraphQLError | null) {
  const contexts = new WeakMap<Request, Context>();
  const plugin: Plugin<Record<string, unknown>, ServerContext> = {
    async onParams({ request, context: server }) {
      if (server.authenticated) return;
      const context = await contextFactory({ headers: request.headers });
      contexts.set(request, context);
      if (!context.viewer) return;
      const refused = admit(context.viewer.tokenId);
      if (refused) throw refused;
    },
  };
  return { plugin, contextOf: (request: Request) => contexts.get(request) };
}
