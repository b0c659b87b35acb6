import { GraphQLError } from 'graphql';
import { createYoga, maskError, type YogaLogger, type YogaServerInstance } from 'graphql-yoga';
import type { Logger } from 'pino';
import { useResponseCache } from './response-cache.js';
import { databaseBusyError } from './database-busy.js';
import { createFanout, type Fanout } from '../live/fanout/fanout.js';
import type { Context } from '../schema/context.js';
import { useEndRevokedSubscriptions } from './end-revoked-subscriptions.js';
import { useEndSubscriptions } from './end-subscriptions.js';
import { useHealthRoutes } from './health-routes.js';
import { useConsoleRoute } from './console-route.js';
import { useAuthenticateFirst } from './limits/authenticate-first.js';
import { corsOptions } from './limits/cors.js';
import { useCsrfPrevention } from './limits/csrf.js';
import { useNoNulArguments } from './limits/nul-arguments.js';
import { createOperationLimits, type OperationLimits } from './limits/operation-limits.js';
import { useQueryLimits } from './limits/query-limits.js';
import { useRefusalPenalty } from './limits/refusal-penalty.js';
import { useNoInputEcho } from './input-echo.js';
import { useRequestLog } from './request-log-plugin.js';
import { useErrorCodes } from './error-codes.js';
import { serveGraphiql } from './graphiql.js';
import { usePersisted } from './persisted-operations.js';
import { loadPersistedStore } from './persisted-store.js';
import { safeError } from './safe-error.js';
import { GRAPHQL_PATH, type ServerOptions } from './types.js';

/** What the node:http layer and graphql-ws hand to yoga besides the request. */
export interface ServerContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  /** The context the token gate built (its token authenticated and counted against the rate) before the body was read. */
  authenticated?: Context;
}

export type YogaApp = YogaServerInstance<ServerContext, Context> & {
  /** The per-token limits' state (open subscriptions per token). */
  limits: Pick<OperationLimits, 'subscriptions' | 'admit' | 'refused'>;
  /** Live subscriptions executed once per group (`fanout.stats()`: groups, members, executions, shared). */
  fanout: Pick<Fanout, 'stats'>;
  /** Checks the persisted operations not checked yet and logs what was loaded and skipped (off the path to ready). */
  reportPersisted(): void;
};

/**
 * The GraphQL app: schema, GraphiQL (subscriptions over graphql-ws), SSE subscriptions, health
 * routes, masked unexpected errors, the limits (CSRF, query depth/aliases/tokens/cost, introspection,
 * per-token rate and subscriptions). `shutdown` aborts when the server stops: open subscriptions end.
 */
export function createYogaApp(
  options: Pick<ServerOptions, 'config' | 'logger' | 'schema' | 'contextFactory' | 'readiness' | 'readinessDetail' | 'dataVersion' | 'plugins'>,
  shutdown: AbortSignal,
): YogaApp {
  const { config, logger, schema, contextFactory, readiness, dataVersion } = options;
  const logged = new WeakSet<object>();
  const limits = createOperationLimits(config);
  const authenticateFirst = useAuthenticateFirst(contextFactory, limits.admit);
  const fanout = createFanout();
  const persisted = loadPersistedStore(config.persistedOperations ?? [], schema);
  // Checks every persisted document (each is also checked when first asked for) and logs the outcome: cairn calls it once ready.
  const reportPersisted = () => {
    if (persisted.files.length > 0) logger.info({ manifests: persisted.files, operations: persisted.size, persistedOnly: config.persistedOnly === true }, 'persisted operations loaded');
    for (const line of persisted.skipped) logger.warn({ skipped: line }, 'persisted operation skipped');
  };
  const graphiql = serveGraphiql();
  const yoga = createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    // cairn's own limit (limits/body-limit.ts, before yoga) is the one that holds, with or without a Content-Length
    // (a JSON body reaches yoga parsed, past yoga's own check: parsed-body.ts).
    maxRequestBodySize: config.maxBodyBytes,
    landingPage: false,
    cors: corsOptions(config.corsOrigins),
    // GraphiQL from the installed packages, with a token prompt and a content-security policy (graphiql.ts).
    graphiql: graphiql.options,
    renderGraphiQL: graphiql.render,
    logging: yogaLogger(logger, logged),
    maskedErrors: {
      maskError(error, message, isDev) {
        // A busy database is the client's to retry, not a bug: a typed error (logged as a warning).
        const busy = databaseBusyError(error);
        if (busy) {
          const original = originalError(error);
          if (isObject(original) && !logged.has(original)) {
            logged.add(original); // and not again by yoga's own logger, as an error
            logger.warn({ error: safeError(original) }, 'an operation found the database busy (answered DATABASE_BUSY)');
          }
          return busy;
        }
        const masked = maskError(error, message, isDev);
        const original = originalError(error);
        // yoga may mask the same error twice (e.g. one thrown by the context factory): log it once.
        if (masked !== error && !(isObject(original) && logged.has(original))) {
          if (isObject(original)) logged.add(original);
          logger.error({ error: safeError(original) }, 'unexpected error (masked in the response)');
        }
        return masked;
      },
    },
    context: ({ request, connectionParams, authenticated }) =>
      authenticated ??
      authenticateFirst.contextOf(request) ??
      contextFactory(connectionParams ? { headers: request.headers, connectionParams } : { headers: request.headers }),
    plugins: [
      useRequestLog(),
      ...(options.plugins ?? []),
      useHealthRoutes(readiness, GRAPHQL_PATH, options.readinessDetail),
      useConsoleRoute(),
      graphiql.plugin,
      useCsrfPrevention(),
      authenticateFirst.plugin,
      ...usePersisted({
        store: persisted,
        persistedOnly: config.persistedOnly === true,
        contextOf: (request, server) => (server as ServerContext).authenticated ?? authenticateFirst.contextOf(request),
      }),
      ...useQueryLimits(config),
      useNoNulArguments(),
      limits.plugin,
      fanout.plugin,
      useEndSubscriptions(shutdown),
      useEndRevokedSubscriptions(),
      useNoInputEcho(),
      useErrorCodes(),
      useRefusalPenalty((request, server) => (server as ServerContext).authenticated ?? authenticateFirst.contextOf(request), limits.refused),
      // Last: a query answered again from the cache has passed every limit above.
      ...(dataVersion && config.responseCacheMs ? [useResponseCache({ version: dataVersion, maxAgeMs: config.responseCacheMs })] : []),
    ],
  });
  return Object.assign(yoga, { limits: { subscriptions: limits.subscriptions, admit: limits.admit, refused: limits.refused }, fanout: { stats: fanout.stats }, reportPersisted });
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function originalError(error: unknown): unknown {
  return error instanceof GraphQLError && error.originalError ? error.originalError : error;
}

/** Routes yoga's own log calls to pino, skipping errors already logged when they were masked. */
function yogaLogger(logger: Logger, logged: WeakSet<object>): YogaLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) => {
      const err = args.find((a) => a instanceof Error);
      if (err && [err, originalError(err)].some((e) => isObject(e) && logged.has(e))) return;
      const message = args.filter((a) => typeof a === 'string').join(' ') || 'graphql-yoga';
      if (err) logger[level]({ error: safeError(err) }, message);
      else logger[level](message);
    };
  return { debug: forward('debug'), info: forward('info'), warn: forward('warn'), error: forward('error') };
}
