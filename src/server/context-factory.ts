import type { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { authenticate, AuthenticationError, bearerToken } from '../auth/authenticate.js';
import type { TokenReads } from '../auth/cached-token-reads.js';
import type { Context } from '../schema/context.js';
import type { ContextFactory, RequestInfo } from './types.js';

/** The long-lived services every operation's context carries (everything but the caller and its headers). */
export type Services = Omit<Context, 'viewer' | 'headers'>;

/** A token's last use is written at most this often (not on every request). */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Builds each operation's context: authenticates the caller by its API token (the HTTP
 * `Authorization: Bearer` header; for graphql-ws, the same value in the connection_init payload)
 * and refuses anonymous or unusable tokens with 401 before anything runs. `clock` decides token expiry
 * (wall-clock time; the resolvers' `now` may be a test's clock). `tokenReads`: where the token and its roles are read
 * (a cache of them: src/auth/cached-token-reads.ts).
 */
export function createContextFactory(services: Services, clock: () => Date = () => new Date(), tokenReads: TokenReads = services.repos.tokens): ContextFactory {
  const touched = new Map<number, number>();
  return async (request) => {
    let viewer;
    try {
      viewer = await authenticate(tokenReads, bearerToken(authorizationOf(request)), clock());
    } catch (error) {
      if (error instanceof AuthenticationError) throw unauthenticated(error);
      throw error;
    }
    const now = clock();
    if (now.getTime() - (touched.get(viewer.tokenId) ?? 0) >= TOUCH_INTERVAL_MS) {
      touched.set(viewer.tokenId, now.getTime());
      // Once a minute per token: waited for, so that the token's next request reads it. A failed stamp (the database busy)
      // does not fail the request; a later request tries again.
      await services.repos.tokens.touch(viewer.tokenId, now).catch((error: unknown) => {
        touched.delete(viewer.tokenId);
        services.logger.warn({ error: error instanceof Error ? error.message : String(error), tokenId: viewer.tokenId }, 'recording a token\'s last use failed');
      });
    }
    return { ...services, viewer, headers: request.headers };
  };
}

/** The Authorization value: graphql-ws's connection_init payload first (browsers cannot set WebSocket headers), else the header. */
export function authorizationOf(request: RequestInfo): string | null {
  const params = request.connectionParams;
  if (params) {
    const value = params.Authorization ?? params.authorization;
    if (typeof value === 'string') return value;
    if (typeof params.token === 'string') return `Bearer ${params.token}`;
  }
  return request.headers.get('authorization');
}

/** The 401 of each AuthenticationError: the common ones (no token, an unknown one) are one instance each, so their refusal is built once. */
const refusals = new WeakMap<AuthenticationError, GraphQLError>();

function unauthenticated(error: AuthenticationError): GraphQLError {
  let refusal = refusals.get(error);
  if (!refusal) refusals.set(error, (refusal = unauthenticatedError(error)));
  return refusal;
}

function unauthenticatedError(error: AuthenticationError) {
  return createGraphQLError(error.message, {
    extensions: {
      code: 'UNAUTHENTICATED',
      http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="cairn"' } },
    },
  });
}
