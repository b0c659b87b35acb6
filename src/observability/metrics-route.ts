/**
 * GET /metrics: the Prometheus text exposition of the cairn's registry, never cached (`cache-control: no-store`).
 * Who may scrape (metricsAccess): with a token set (CAIRN_METRICS_TOKEN), a scrape must send
 * `Authorization: Bearer <token>`, else 401; without one, only while cairn listens on a loopback host (then only
 * local processes reach it) — on any other host /metrics is refused 403 until a token is set, so that a cairn
 * exposed on the network does not publish its metrics (nor let anyone make it count) by default. HEAD answers the
 * same status and headers without collecting the metrics.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from './metrics.js';

export const METRICS_PATH = '/metrics';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Whether the Authorization header carries the token (compared in constant time). */
export function carriesToken(authorization: string | null, token: string): boolean {
  const match = /^bearer\s+(.+)$/i.exec(authorization?.trim() ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/** Whether a host name only accepts connections from this machine (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/** How /metrics is served: `token` (a bearer token required), `open` (no token, loopback host), `refused` (no token, a host others reach). */
export type MetricsAccess = 'token' | 'open' | 'refused';

export function metricsAccess(host: string, token: string | undefined): MetricsAccess {
  if (token) return 'token';
  return isLoopback(host) ? 'open' : 'refused';
}

export const REFUSED_MESSAGE = 'cairn listens on a non-loopback host: set CAIRN_METRICS_TOKEN to serve /metrics';

export interface MetricsRouteOptions {
  /** The bearer token a scrape must send (CAIRN_METRICS_TOKEN). */
  token?: string;
  /** The host cairn listens on (CAIRN_HOST; default loopback). */
  host?: string;
}

export function useMetricsRoute(metrics: Pick<Metrics, 'scrape' | 'contentType'>, options: MetricsRouteOptions = {}): Plugin {
  const access = metricsAccess(options.host ?? '127.0.0.1', options.token);
  const text = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      const head = request.method === 'HEAD';
      if (access === 'refused') {
        endResponse(new fetchAPI.Response(head ? null : `${REFUSED_MESSAGE}\n`, { status: 403, headers: text }));
        return;
      }
      if (access === 'token' && !carriesToken(request.headers.get('authorization'), options.token!)) {
        endResponse(
          new fetchAPI.Response(head ? null : 'a bearer token is required (CAIRN_METRICS_TOKEN)\n', {
            status: 401,
            headers: { ...text, 'www-authenticate': 'Bearer realm="cairn metrics"' },
          }),
        );
        return;
      }
      const headers = { 'content-type': metrics.contentType, 'cache-control': 'no-store' };
      endResponse(new fetchAPI.Response(head ? null : await metrics.scrape(), { status: 200, headers }));
    },
  };
}
