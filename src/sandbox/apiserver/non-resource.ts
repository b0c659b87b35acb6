/** Paths outside any resource: health checks, /version and discovery. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from '../store/types.js';
import { methodNotAllowed, notFoundPath, sendJson } from './errors.js';
import { apiGroupDocument, apiGroupList, apiResourceList, apiVersions, KUBERNETES_VERSION } from './discovery.js';
import type { RequestInfo } from './request-info.js';
import { groupVersionDocument, openApiRoot } from './openapi.js';
import { REVIEW_TYPES } from './reviews.js';

export const HEALTH_PATHS = ['/healthz', '/livez', '/readyz'];

/** Health checks and /version answer without credentials. */
export const isPublicPath = (path: string) => path === '/version' || HEALTH_PATHS.some((p) => path === p || path.startsWith(`${p}/`));

export function serveNonResource(storeTypes: readonly ResourceType[], serverAddress: string, info: RequestInfo, req: IncomingMessage, res: ServerResponse): void {
  const types = [...storeTypes, ...REVIEW_TYPES];
  const path = info.path.replace(/\/+$/, '') || '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed();
  if (HEALTH_PATHS.some((p) => path === p || path.startsWith(`${p}/`))) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', 'Content-Length': 2 });
    res.end('ok');
    return;
  }
  if (path === '/version') return sendJson(res, 200, KUBERNETES_VERSION);
  if (path === '/api') return sendJson(res, 200, apiVersions(serverAddress));
  if (path === '/apis') return sendJson(res, 200, apiGroupList(types));
  if (path === '/openapi/v3') return sendJson(res, 200, openApiRoot(storeTypes));
  if (path.startsWith('/openapi/v3/')) {
    const doc = groupVersionDocument(storeTypes, path.slice('/openapi/v3/'.length));
    if (doc) return sendJson(res, 200, doc);
  }
  if (info.prefix === 'apis' && info.group && !info.version) {
    const group = apiGroupDocument(types, info.group);
    if (group) return sendJson(res, 200, group);
  }
  if (info.prefix && info.version) {
    const list = apiResourceList(types, info.group, info.version);
    if (list) return sendJson(res, 200, list);
  }
  throw notFoundPath();
}
