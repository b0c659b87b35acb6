import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from '../schema/context.js';
import { limitRequestBody } from './limits/body-limit.js';
import { refuseDeepJson } from './limits/json-depth.js';
import { createTokenGate } from './limits/token-gate.js';
import { logRequest } from './request-log.js';
import { originForm } from './request-path.js';
import { safeError } from './safe-error.js';
import { closeGracefully } from './shutdown.js';
import { GRAPHQL_PATH, type ServerOptions } from './types.js';
import { attachGraphqlWs } from './websocket.js';
import { acceptFirst } from './accept-first.js';
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
    // A probe never waits behind a burst of clients (a kubelet's probe gives up after its timeout, 1 s by default).
    if (isProbe(req)) handle(req, res);
    else admit(() => handle(req, res));
  });
  // Requests wait while a burst of new connections is still being accepted, then run back to back (accept-first.ts).
  const admit = acceptFirst({ onConnection: (listener) => http.on('connection', listener), maxDeferMs: ACCEPT_FIRST.maxDeferMs, turnBudgetMs: ACCEPT_FIRST.turnBudgetMs });
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
 * A burst of 300 new clients is accepted in ~0.1–0.2 s on a busy cairn (one connection a turn, the turns
 * short while requests wait); 250 ms of handlers a turn (~60 submissions) before the loop polls again.
 */
const ACCEPT_FIRST = { maxDeferMs: 150, turnBudgetMs: 250 };

const isProbe = (req: IncomingMessage) => (req.method === 'GET' || req.method === 'HEAD') && (req.url === '/healthz' || req.url === '/readyz');

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}
