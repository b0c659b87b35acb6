import type { GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Context } from '../schema/context.js';
import type { RequestBacklog } from './request-backlog.js';

/** What the server knows of a request when it builds the resolvers' context. */
export interface RequestInfo {
  /** The HTTP request's headers (for WebSocket clients: the upgrade request's). */
  headers: Headers;
  /** The graphql-ws `connection_init` payload, for WebSocket clients. */
  connectionParams?: Readonly<Record<string, unknown>>;
}

/** Builds the resolvers' context for one operation. */
export type ContextFactory = (request: RequestInfo) => Context | Promise<Context>;

/** Why the server is not ready to serve; an empty list means ready (it may have to ask the database: bounded). */
export type Readiness = () => string[] | Promise<string[]>;

export interface ServerOptions {
  config: Pick<
    Config,
    | 'host'
    | 'port'
    | 'shutdownTimeoutMs'
    | 'maxQueryDepth'
    | 'maxQueryCost'
    | 'maxListArgument'
    | 'maxAliases'
    | 'maxQueryTokens'
    | 'maxBodyBytes'
    | 'rateLimitPerMinute'
    | 'introspection'
    | 'maxSubscriptionsPerToken'
    | 'corsOrigins'
  > &
    Partial<Pick<Config, 'persistedOperations' | 'persistedOnly'>> &
    Partial<Pick<Config, 'responseCacheMs'>>;
  logger: Logger;
  schema: GraphQLSchema;
  contextFactory: ContextFactory;
  readiness: Readiness;
  /** More fields of the /readyz body, ready or not (the engine leadership). */
  readinessDetail?: () => Record<string, unknown>;
  /** What query answers depend on (see response-cache.ts); without it, answers are never served again. */
  dataVersion?: () => string;
  /** More yoga plugins, before cairn's own (the /metrics route, operation metrics and spans). */
  plugins?: Plugin[];
  /** Told how many requests wait in line (accept-first.ts), for work that yields to them (the release engine). */
  backlog?: RequestBacklog;
}

/** The GraphQL endpoint: HTTP, SSE and graphql-ws all live here. */
export const GRAPHQL_PATH = '/graphql';
