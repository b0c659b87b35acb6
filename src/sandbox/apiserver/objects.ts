/** The plain verbs on objects: get, list, create, update, delete, deletecollection. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions, KubeObject, ResourceType } from '../store/types.js';
import { groupVersion } from './discovery.js';
import { ApiError, badRequest, notFound, sendJson } from './errors.js';
import { readJson, readObject } from './body.js';
import { page } from './paging.js';
import { isDryRun, wouldUpdate } from './dry-run.js';
import { qualified, type ApiContext, type Target } from './context.js';

/** Resources whose registry returns the deleted object rather than a Success Status (ReturnDeletedObject). */
const returnsDeletedObject = new Set(['/pods', '/services']);

const clone = <T>(value: T): T => structuredClone(value);

export function getOrNotFound(ctx: ApiContext, t: Target): KubeObject {
  const object = ctx.store.get(t.key, t.namespace, t.name!);
  if (!object) throw notFound(t.type.resource, t.name!, t.type.group);
  return object;
}

/** Items of a typed list as a real API server writes them: without kind and apiVersion. */
export function listItem(object: KubeObject): Omit<KubeObject, 'kind' | 'apiVersion'> {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest;
}

export function listObjects(ctx: ApiContext, t: Target) {
  const q = t.query;
  const { items, resourceVersion } = ctx.store.list(t.key, {
    namespace: t.namespace,
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
  });
  const limit = q.get('limit') ? Number(q.get('limit')) : undefined;
  if (limit !== undefined && !Number.isInteger(limit)) throw badRequest(`limit: Invalid value: "${q.get('limit')}"`);
  return page(items, resourceVersion, limit, q.get('continue') ?? undefined, ctx.store.oldestVersion(t.key));
}

export function listBody(type: ResourceType, p: ReturnType<typeof page>) {
  const metadata: Record<string, unknown> = { resourceVersion: p.resourceVersion };
  if (p.continue) metadata.continue = p.continue;
  if (p.remainingItemCount !== undefined) metadata.remainingItemCount = p.remainingItemCount;
  return { kind: type.listKind, apiVersion: groupVersion(type), metadata, items: p.items.map(listItem) };
}

/** Checks and fills the body's kind, apiVersion and namespace against the URL. */
export function admitBody(t: Target, body: Record<string, unknown>): KubeObject {
  const object = clone(body) as KubeObject;
  const gv = groupVersion(t.type);
  if (object.kind !== undefined && object.kind !== t.type.kind) {
    throw badRequest(`${String(object.kind)} in version "${String(object.apiVersion ?? gv)}" cannot be handled as a ${t.type.kind}: the object provided is unrecognized (wrong kind)`);
  }
  if (object.apiVersion !== undefined && object.apiVersion !== gv) {
    throw badRequest(`${t.type.kind} in version "${String(object.apiVersion)}" cannot be handled as a ${t.type.kind}: no kind "${t.type.kind}" is registered for version "${String(object.apiVersion)}"`);
  }
  object.kind = t.type.kind;
  object.apiVersion = gv;
  if (typeof object.metadata !== 'object' || object.metadata === null) object.metadata = {};
  if (t.type.namespaced) {
    const ns = object.metadata.namespace;
    if (ns !== undefined && ns !== '' && ns !== t.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = t.namespace;
  } else {
    delete object.metadata.namespace;
  }
  return object;
}

export async function createObject(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const object = admitBody(t, await readObject(req));
  if (isDryRun(t.query)) return sendJson(res, 201, object);
  sendJson(res, 201, ctx.store.create(t.key, object));
}

export function checkName(t: Target, object: KubeObject) {
  const name = object.metadata.name;
  if (name === undefined || name === '') object.metadata.name = t.name;
  else if (name !== t.name) throw badRequest(`the name of the object (${name}) does not match the name on the URL (${t.name})`);
}

export async function updateObject(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target, subresource?: 'status') {
  const object = admitBody(t, await readObject(req));
  checkName(t, object);
  if (isDryRun(t.query)) return sendJson(res, 200, wouldUpdate(t, getOrNotFound(ctx, t), object, subresource));
  sendJson(res, 200, ctx.store.update(t.key, object, subresource ? { subresource } : undefined));
}

type RequestDeleteOptions = DeleteOptions & { orphanDependents?: boolean; dryRun?: boolean };

/** DeleteOptions from the body (as kubectl sends them) or the query. */
async function deleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<RequestDeleteOptions> {
  const body = ((await readJson(req)) ?? {}) as Record<string, unknown>;
  const options: RequestDeleteOptions = {};
  const dryRun = Array.isArray(body.dryRun) ? (body.dryRun as string[]) : [];
  for (const v of dryRun) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  if (dryRun.length > 0 || isDryRun(query)) options.dryRun = true;
  const policy = (body.propagationPolicy as string | undefined) ?? query.get('propagationPolicy') ?? undefined;
  if (policy !== undefined) {
    if (!['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw new ApiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`);
    }
    options.propagationPolicy = policy as DeleteOptions['propagationPolicy'];
  }
  const orphan = (body.orphanDependents as boolean | undefined) ?? (query.has('orphanDependents') ? query.get('orphanDependents') === 'true' : undefined);
  if (orphan !== undefined) {
    options.orphanDependents = orphan;
    if (options.propagationPolicy === undefined) options.propagationPolicy = orphan ? 'Orphan' : 'Background';
  }
  const grace = body.gracePeriodSeconds ?? query.get('gracePeriodSeconds') ?? undefined;
  if (grace !== undefined && grace !== null) {
    const n = Number(grace);
    if (!Number.isInteger(n)) throw badRequest(`gracePeriodSeconds: invalid value "${String(grace)}"`);
    options.gracePeriodSeconds = n;
  }
  if (body.preconditions && typeof body.preconditions === 'object') options.preconditions = body.preconditions as DeleteOptions['preconditions'];
  return options;
}

export async function deleteObject(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const { orphanDependents, dryRun, ...options } = await deleteOptions(req, t.query);
  if (dryRun) return sendJson(res, 200, getOrNotFound(ctx, t));
  const result = ctx.store.delete(t.key, t.namespace, t.name!, options);
  const still = ctx.store.get(t.key, t.namespace, t.name!);
  const deleted = !still || still.metadata.uid !== result.metadata.uid;
  if (!deleted) return sendJson(res, orphanDependents === false ? 202 : 200, result);
  if (returnsDeletedObject.has(t.key)) return sendJson(res, 200, result);
  sendJson(res, 200, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name: t.name, group: t.type.group || undefined, kind: t.type.resource, uid: result.metadata.uid },
  });
}

export async function deleteCollection(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const { orphanDependents: _o, dryRun, ...options } = await deleteOptions(req, t.query);
  const { items, resourceVersion } = ctx.store.list(t.key, {
    namespace: t.namespace,
    labelSelector: t.query.get('labelSelector') ?? undefined,
    fieldSelector: t.query.get('fieldSelector') ?? undefined,
  });
  const deleted: KubeObject[] = [];
  for (const item of items) {
    try {
      deleted.push(dryRun ? item : ctx.store.delete(t.key, item.metadata.namespace, item.metadata.name!, options));
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
    }
  }
  sendJson(res, 200, { kind: t.type.listKind, apiVersion: groupVersion(t.type), metadata: { resourceVersion }, items: deleted.map(listItem) });
}
