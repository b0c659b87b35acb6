import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from '../schema/context.js';
import { limitRequestBody } from './limits/body-limit.js';
import { refuseDeepJson } from './limits/json-depth.js';
import { handParsedJson } from './parsed-body.js';
import { createTokenGate } from './limits/token-gate.js';
import { logRequest } from './request-log.js';
import { originForm } from './request-path.js';
import { safeError } from './safe-error.js';
import { closeGracefully } from './shutdown.js';
import { GRAPHQL_PATH, type ServerOptions } from './types.js';
import { attachGraphqlWs } from './websocket.js';
import { acceptFirst } from './accept-first.js';
import { isProbeRequest } from './health-routes.js';
import { createYogaApp, type YogaApp } from './yoga-app.js';

export interface CairnServer {
  /** The GraphQL app; `yoga.fetch` serves requests in-process (tests). */
  yoga: YogaApp;
  /** Listens on `port` (default: the configured port; 0 picks a free one). */
  start(port?: number): Promise<{ url: string; port: number }>;
  /**
   * Graceful stop: readiness turns 503, no new connections, open subscriptions complete, in-flight
   * requests finish, WebSocket clients are closed with 1001; after `shutdownTimeoutMs` whatever
   * remains is cut. Resolves when the HTTP server has closed.
   */
  stop(): Promise<void>;
}

/** The HTTP server: yoga on node:http, graphql-ws on the same port and path, health routes, request logs. */
export function buildServer(options: ServerOptions): CairnServer {
  const { config, logger } = options;
  const shutdown = new AbortController();
  // Every open subscription listens for the shutdown (and stops listening when it ends), so the
  // listener count follows the subscriber count: thousands are expected, not a leak.
  setMaxListeners(0, shutdown.signal);
  const readiness = async () => (shutdown.signal.aborted ? ['shutting down'] : options.readiness());
  const yoga = createYogaApp({ ...options, readiness }, shutdown.signal);

  const gate = createTokenGate(options.contextFactory, yoga.limits.admit, config.corsOrigins);
  const active = new Set<ServerResponse>();
  const http: Server = createServer((req, res) => {
    logRequest(logger, req, res);
    // A probe never waits in line behind a burst of clients (a kubelet's probe gives up after its timeout, 1 s by default).
    if (isProbeRequest(req)) handle(req, res);
    // A request whose client left while it waited is not served (the request log has it as aborted).
    else admit(() => handle(req, res), () => req.destroyed || req.socket.destroyed);
  });
  // Requests wait while a burst of new connections is still being accepted, then run back to back (accept-first.ts).
  const admit = acceptFirst({
    onConnection: (listener) => http.on('connection', listener),
    maxDeferMs: ACCEPT_FIRST.maxDeferMs,
    turnBudgetMs: ACCEPT_FIRST.turnBudgetMs,
    ...(options.backlog ? { backlog: options.backlog } : {}),
  });
  function handle(req: IncomingMessage, res: ServerResponse) {
    req.url = originForm(req.url); // an absolute-form target (`GET http://host/graphql`) as the path yoga parses
    if (shutdown.signal.aborted) res.setHeader('connection', 'close');
    active.add(res);
    res.once('close', () => {
      active.delete(res);
      if (shutdown.signal.aborted) http.closeIdleConnections();
    });
    // The route and the token first (from the headers alone), then the body's size, then its nesting; then yoga parses it.
    const serve = (context: Context | undefined) => {
      // A body refused here (too large, nested too deeply) weighs against its token's rate like a refused operation.
      const refused = () => {
        if (context?.viewer) yoga.limits.refused(context.viewer.tokenId);
      };
      limitRequestBody(req, res, config.maxBodyBytes, (body) => {
        if (body && refuseDeepJson(req, res, body)) return refused();
        if (body) handParsedJson(req, body);
        void yoga(req, res, context ? { authenticated: context } : {});
      }, refused);
    };
    gate(req, res).then(
      (gated) => gated.refused || serve(gated.context),
      (error: unknown) => {
        // Not expected (the gate hands what it cannot judge to yoga): yoga authenticates this request itself.
        logger.error({ error: safeError(error) }, 'unexpected error in the token gate');
        serve(undefined);
      },
    );
  }
  // In-flight responses that have not answered yet tell their clients not to reuse the connection.
  shutdown.signal.addEventListener('abort', () => {
    for (const res of active) if (!res.headersSent) res.setHeader('connection', 'close');
  });
  const ws = attachGraphqlWs(http, yoga, logger, config.maxBodyBytes);
  let stopping: Promise<void> | null = null;

  return {
    yoga,
    start(port = config.port) {
      return new Promise((resolve, reject) => {
        http.once('error', reject);
        http.listen(port, config.host, () => {
          http.off('error', reject);
          const actual = (http.address() as AddressInfo).port;
          const url = `http://${hostForUrl(config.host)}:${actual}${GRAPHQL_PATH}`;
          logger.info({ port: actual, url }, 'listening');
          resolve({ url, port: actual });
        });
      });
    },
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down: no new connections, finishing in-flight requests');
        shutdown.abort();
        await closeGracefully(http, ws, logger, config.shutdownTimeoutMs);
        logger.info('server stopped');
      })();
      return stopping;
    },
  };
}

/**
 * 300 new clients at once were all read within ~0.35 s on a busy cairn (one connection a turn, the turns
 * short while requests wait): a request waits 0.5 s at most for them. Then 250 ms of handlers a turn
 * (~50–60 submissions) before the loop polls again: with 100 ms the engine's work for the orders already
 * answered (the clusters' answers, watch events, passes) came between them in smaller, less coalesced
 * pieces — 6.6–8.4 ms of CPU an order until the last answer against 4.4–4.6 ms, the last first batch
 * 2.3–3.3 s after it was sent against 1.6–1.7 s (bench/concurrent-releases.ts, two runs each).
 */
const ACCEPT_FIRST = { maxDeferMs: 500, turnBudgetMs: 250 };

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
