import type { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { originForm } from './request-path.js';
import type { Readiness } from './types.js';

/** The paths the health routes answer (GET and HEAD). */
export const HEALTH_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/']);

/** A liveness or readiness probe: GET or HEAD of /healthz or /readyz (a query or an absolute-form target too). */
export function isProbeRequest(req: Pick<IncomingMessage, 'method' | 'url'>): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = originForm(req.url)?.split('?')[0];
  return path === '/healthz' || path === '/readyz';
}

/**
 * GET /healthz — the process is alive (200 `ok`).
 * GET /readyz — 200 when it can serve (database migrated, clusters loaded, not shutting down);
 * otherwise 503 with a JSON body naming the reasons. Either body carries `detail`'s fields too (the engine leadership).
 * GET / — redirects to GraphiQL at /graphql.
 */
export function useHealthRoutes(readiness: Readiness, graphqlPath: string, detail?: () => Record<string, unknown>): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (url.pathname === '/healthz') {
        endResponse(new fetchAPI.Response('ok', { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } }));
      } else if (url.pathname === '/readyz') {
        // Asks the database (bounded): only this route waits; every other request passes straight on.
        return Promise.resolve(readiness()).then((reasons) => {
          const ready = reasons.length === 0;
          const body = { ...(ready ? { status: 'ready' } : { status: 'not ready', reasons }), ...detail?.() };
          endResponse(
            new fetchAPI.Response(JSON.stringify(body), {
              status: ready ? 200 : 503,
              headers: { 'content-type': 'application/json; charset=utf-8' },
            }),
          );
        });
      } else if (url.pathname === '/') {
        endResponse(new fetchAPI.Response(null, { status: 302, headers: { location: graphqlPath } }));
      }
    },
  };
}
