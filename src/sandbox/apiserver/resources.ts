/**
 * Dispatch of resource requests (/api/v1/…, /apis/GROUP/VERSION/…) to the verb and subresource
 * handlers, with the path checks a real API server makes first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { resourceKey, type ResourceType } from '../store/types.js';
import { ApiError, badRequest, methodNotAllowed, notFoundPath, sendJson } from './errors.js';
import { subresourcesOf } from './discovery.js';
import type { RequestInfo } from './request-info.js';
import { createObject, deleteCollection, deleteObject, getOrNotFound, listBody, listObjects, updateObject } from './objects.js';
import { patchObject } from './patching.js';
import { getScale, updateScale } from './scale.js';
import { bindPod } from './binding.js';
import { serveLogs } from './logs.js';
import { serveProxy } from './proxy.js';
import { evictPod } from './eviction.js';
import { findReview, serveReview } from './reviews.js';
import { serveWatch } from './watch.js';
import { tableRequested, toTable } from './table.js';
import type { ApiContext, Target } from './context.js';

export function findType(types: readonly ResourceType[], info: RequestInfo): ResourceType | undefined {
  return types.find((t) => t.group === info.group && t.version === info.version && t.resource === info.resource);
}

/** Resolves the request's target, or throws 404 as a real API server does for paths it does not serve. */
export function resolveTarget(ctx: ApiContext, info: RequestInfo): Target {
  const type = findType(ctx.store.types, info);
  if (!type || info.verb === 'unknown') throw notFoundPath();
  if (type.namespaced && info.name !== undefined && info.namespace === undefined) throw notFoundPath();
  if (!type.namespaced && info.namespace !== undefined) throw notFoundPath();
  // Across all namespaces (/api/v1/pods) only list and watch are served.
  if (type.namespaced && info.namespace === undefined && info.verb !== 'list' && info.verb !== 'watch') throw methodNotAllowed();
  if (info.subresource !== undefined && !subresourcesOf(type).includes(info.subresource)) throw notFoundPath();
  return { type, key: resourceKey(type.group, type.resource), namespace: info.namespace, name: info.name, subresource: info.subresource, query: info.query };
}

function fieldSelectorWithName(t: Target): string {
  const byName = `metadata.name=${t.name}`;
  const given = t.query.get('fieldSelector');
  return given ? `${given},${byName}` : byName;
}

/** Core v1 `bindings`: a create-only resource outside the store (the pod's binding, by the Binding's name). */
const isBindings = (info: RequestInfo) => info.prefix === 'api' && info.version === 'v1' && info.resource === 'bindings' && info.namespace !== undefined;

export async function serveResource(ctx: ApiContext, info: RequestInfo, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (isBindings(info)) {
    if (info.name !== undefined || info.subresource !== undefined) throw notFoundPath();
    if (info.verb !== 'create') throw methodNotAllowed();
    return bindPod(ctx, req, res, { namespace: info.namespace, query: info.query });
  }
  const review = findReview(info);
  if (review) return serveReview(review, info, req, res);
  const t = resolveTarget(ctx, info);
  const table = tableRequested(req.headers.accept, t.query);
  const verb = info.verb;

  switch (t.subresource) {
    case undefined:
      break;
    case 'status':
      if (verb === 'get') return sendJson(res, 200, getOrNotFound(ctx, t));
      if (verb === 'update') return updateObject(ctx, req, res, t, 'status');
      if (verb === 'patch') return patchObject(ctx, req, res, t);
      throw methodNotAllowed();
    case 'scale':
      if (verb === 'get') return getScale(ctx, res, t);
      if (verb === 'update') return updateScale(ctx, req, res, t);
      if (verb === 'patch') return patchObject(ctx, req, res, t);
      throw methodNotAllowed();
    case 'binding':
      if (verb === 'create') return bindPod(ctx, req, res, t);
      throw methodNotAllowed();
    case 'eviction':
      if (verb === 'create') return evictPod(ctx, req, res, t);
      throw methodNotAllowed();
    case 'log':
      if (verb === 'get') return serveLogs(ctx, req, res, t);
      throw methodNotAllowed();
    case 'proxy':
      return serveProxy(ctx, info, req, res, t);
    case 'exec':
      // Reached only without an Upgrade header; upgrades are handled by the server's upgrade path.
      if (verb === 'get' || verb === 'create') throw badRequest('Upgrade request required');
      throw methodNotAllowed();
    default:
      throw notFoundPath();
  }

  switch (verb) {
    case 'get': {
      const object = getOrNotFound(ctx, t);
      if (table) return sendJson(res, 200, toTable(t.key, [object], table, { resourceVersion: object.metadata.resourceVersion }, ctx.clock.now()));
      return sendJson(res, 200, object);
    }
    case 'list': {
      const p = listObjects(ctx, t);
      if (table) {
        const meta: Record<string, unknown> = { resourceVersion: p.resourceVersion };
        if (p.continue) meta.continue = p.continue;
        if (p.remainingItemCount !== undefined) meta.remainingItemCount = p.remainingItemCount;
        return sendJson(res, 200, toTable(t.key, p.items, table, meta, ctx.clock.now()));
      }
      return sendJson(res, 200, listBody(t.type, p));
    }
    case 'watch': {
      const q = t.query;
      const timeout = q.get('timeoutSeconds');
      const sendInitialEvents = q.get('sendInitialEvents') === 'true';
      const allowWatchBookmarks = q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1';
      if (timeout !== null && timeout !== '' && !/^\d+$/.test(timeout)) throw badRequest(`timeoutSeconds: Invalid value: "${timeout}": must be a non-negative integer`);
      if (sendInitialEvents && (!allowWatchBookmarks || q.get('resourceVersionMatch') !== 'NotOlderThan')) {
        throw new ApiError(422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks', {
          kind: 'ListOptions',
          group: 'meta.k8s.io',
          causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan and allowWatchBookmarks', field: 'sendInitialEvents' }],
        });
      }
      return serveWatch({ store: ctx.store, clock: ctx.clock, openWatches: ctx.openWatches, bookmarkIntervalMs: ctx.bookmarkIntervalMs }, req, res, {
        type: t.type,
        namespace: t.namespace,
        labelSelector: q.get('labelSelector') ?? undefined,
        fieldSelector: t.name !== undefined ? fieldSelectorWithName(t) : (q.get('fieldSelector') ?? undefined),
        resourceVersion: q.get('resourceVersion') ?? undefined,
        allowWatchBookmarks,
        sendInitialEvents,
        timeoutSeconds: timeout !== null && timeout !== '' ? Number(timeout) : undefined,
        render: table
          ? (object, first) => toTable(t.key, [object], table, { resourceVersion: object.metadata.resourceVersion }, ctx.clock.now(), first)
          : undefined,
      });
    }
    case 'create':
      if (t.name !== undefined) throw methodNotAllowed();
      return createObject(ctx, req, res, t);
    case 'update':
      if (t.name === undefined) throw methodNotAllowed();
      return updateObject(ctx, req, res, t);
    case 'patch':
      if (t.name === undefined) throw methodNotAllowed();
      return patchObject(ctx, req, res, t);
    case 'delete':
      return deleteObject(ctx, req, res, t);
    case 'deletecollection':
      return deleteCollection(ctx, req, res, t);
    default:
      throw methodNotAllowed();
  }
}
