/**
 * pods/eviction (what `kubectl drain` POSTs): a policy/v1 Eviction deletes the pod with the
 * Eviction's DeleteOptions. The sandbox has no PodDisruptionBudgets, so no eviction is refused
 * for budget reasons; the answer is 201 with a Success Status, as a real API server sends.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DeleteOptions } from '../store/types.js';
import { badRequest, sendJson } from './errors.js';
import { readObject } from './body.js';
import { getOrNotFound } from './objects.js';
import type { ApiContext, Target } from './context.js';

export async function evictPod(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const eviction = await readObject(req);
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') throw badRequest(`${String(eviction.kind)} cannot be handled as a Eviction`);
  const meta = (eviction.metadata ?? {}) as { name?: string; namespace?: string };
  if (meta.name && meta.name !== t.name) throw badRequest(`name in URL does not match name in Eviction object`);
  if (meta.namespace && meta.namespace !== t.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  getOrNotFound(ctx, t);
  const given = (eviction.deleteOptions ?? {}) as { gracePeriodSeconds?: number; preconditions?: DeleteOptions['preconditions']; dryRun?: string[] };
  if (!(given.dryRun ?? []).includes('All')) {
    const options: DeleteOptions = {};
    if (typeof given.gracePeriodSeconds === 'number') options.gracePeriodSeconds = given.gracePeriodSeconds;
    if (given.preconditions) options.preconditions = given.preconditions;
    ctx.store.delete(t.key, t.namespace, t.name!, options);
  }
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
