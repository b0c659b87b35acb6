/**
 * GET /metrics: the Prometheus text exposition of the cairn's registry. When a token is set (CAIRN_METRICS_TOKEN),
 * a scrape must send `Authorization: Bearer <token>`, else 401.
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

export function useMetricsRoute(metrics: Pick<Metrics, 'scrape' | 'contentType'>, token?: string): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) return;
      if (token && !carriesToken(request.headers.get('authorization'), token)) {
        endResponse(
          new fetchAPI.Response('a bearer token is required (CAIRN_METRICS_TOKEN)\n', {
            status: 401,
            headers: { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer realm="cairn metrics"' },
          }),
        );
        return;
      }
      const body = await metrics.scrape();
      endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { 'content-type': metrics.contentType } }));
    },
  };
}
