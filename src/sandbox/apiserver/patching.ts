/**
 * PATCH: the Content-Type picks the patch type (JSON patch, JSON merge patch, strategic merge patch;
 * 415 for anything else, server-side apply included). The patch is applied to the current object
 * (or its Scale), then written as an update; a resourceVersion inside the patch is a precondition,
 * otherwise a conflict with a concurrent writer is retried, as kube-apiserver does. A different uid
 * in the patch is 422 (metadata.uid is immutable), not the 409 precondition failure of a PUT.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../store/types.js';
import { ApiError, sendJson } from './errors.js';
import { mediaType, readJson } from './body.js';
import { getOrNotFound } from './objects.js';
import { applyPatch, type PatchType } from '../store/patch.js';
import { scaleOf, withScale } from './scale.js';
import type { ApiContext, Target } from './context.js';
import { isDryRun, wouldUpdate } from './dry-run.js';
import { invalid } from '../store/errors.js';
import { fieldErr } from '../store/field-errors.js';

const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

const MAX_CONFLICT_RETRIES = 5;

/** Whether the patch itself names a resourceVersion (then a conflict is the client's to handle). */
function hasVersionPrecondition(type: PatchType, patch: unknown): boolean {
  if (type === 'json') return Array.isArray(patch) && patch.some((op) => (op as { path?: string })?.path === '/metadata/resourceVersion');
  const meta = (patch as { metadata?: { resourceVersion?: unknown } } | null)?.metadata;
  return meta?.resourceVersion !== undefined && meta.resourceVersion !== null;
}

export async function patchObject(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const patchType = patchTypes[mediaType(req)];
  if (!patchType) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
    );
  }
  const patch = await readJson(req);
  if (patch === undefined) throw new ApiError(400, 'BadRequest', 'the body of the request was empty');
  const sub = t.subresource;
  const dryRun = isDryRun(t.query);
  for (let attempt = 0; ; attempt++) {
    const current = getOrNotFound(ctx, t);
    try {
      if (sub === 'scale') {
        const scale = applyPatch(patchType, scaleOf(t.type, current), patch, 'Scale') as KubeObject;
        const next = withScale(t, current, scale);
        const updated = dryRun ? wouldUpdate(t, current, next) : ctx.store.update(t.key, next);
        return sendJson(res, 200, scaleOf(t.type, updated));
      }
      const patched = applyPatch(patchType, current, patch, t.type.kind) as KubeObject;
      // A uid in a patch is no precondition (as it is in a PUT): changing it is an invalid update.
      const uid = patched.metadata?.uid;
      if (uid && uid !== current.metadata.uid) throw invalid(t.type, current.metadata.name!, [fieldErr.invalid('metadata.uid', uid, 'field is immutable')]);
      // Identity cannot be patched away.
      patched.kind = current.kind;
      patched.apiVersion = current.apiVersion;
      patched.metadata = { ...(patched.metadata ?? {}), name: current.metadata.name, namespace: current.metadata.namespace };
      if (!patched.metadata.resourceVersion) patched.metadata.resourceVersion = current.metadata.resourceVersion;
      const status = sub === 'status' ? 'status' : undefined;
      const updated = dryRun ? wouldUpdate(t, current, patched, status) : ctx.store.update(t.key, patched, status ? { subresource: status } : undefined);
      return sendJson(res, 200, updated);
    } catch (error) {
      const conflict = (error as { code?: number; reason?: string }).reason === 'Conflict';
      if (conflict && !hasVersionPrecondition(patchType, patch) && attempt < MAX_CONFLICT_RETRIES) continue;
      throw error;
    }
  }
}
