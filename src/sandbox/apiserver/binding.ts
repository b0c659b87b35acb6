/**
 * pods/binding: what the scheduler POSTs to place a pod on a node (registry/core/pod/storage
 * BindingREST): sets spec.nodeName and the PodScheduled condition; 409 when the pod is already
 * bound or being deleted.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../store/types.js';
import { ApiError, badRequest, sendJson } from './errors.js';
import { readObject } from './body.js';
import { getOrNotFound } from './objects.js';
import type { ApiContext, Target } from './context.js';

interface PodCondition {
  type: string;
  status: string;
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

const conflict = (name: string, why: string) =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on pods/binding "${name}": ${why}`, { name, kind: 'pods/binding' });

export async function bindPod(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const binding = await readObject(req);
  if (binding.kind !== undefined && binding.kind !== 'Binding') throw badRequest(`${String(binding.kind)} cannot be handled as a Binding`);
  const target = binding.target as { kind?: string; name?: string } | undefined;
  const meta = (binding.metadata ?? {}) as { name?: string; namespace?: string };
  if (meta.name && meta.name !== t.name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${t.name})`);
  if (meta.namespace && meta.namespace !== t.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  if (!target?.name) {
    throw new ApiError(422, 'Invalid', `Binding "${t.name}" is invalid: target.name: Required value`, {
      name: t.name,
      kind: 'Binding',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'target.name' }],
    });
  }
  if (target.kind && target.kind !== 'Node') {
    throw new ApiError(422, 'Invalid', `Binding "${t.name}" is invalid: target.kind: Invalid value: "${target.kind}": must be empty or 'Node'`);
  }
  const pod = getOrNotFound(ctx, t);
  if (pod.metadata.deletionTimestamp) throw conflict(t.name!, `pod ${t.name} is being deleted, cannot be assigned to a host`);
  const bound = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (bound) throw conflict(t.name!, `pod ${t.name} is already assigned to node "${bound}"`);

  const uid = (binding.metadata as { uid?: string } | undefined)?.uid;
  if (uid && uid !== pod.metadata.uid) throw conflict(t.name!, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
  const withNode = structuredClone(pod);
  (withNode.spec as { nodeName?: string }).nodeName = target.name;
  const annotations = (binding.metadata as { annotations?: Record<string, string> } | undefined)?.annotations;
  if (annotations) withNode.metadata.annotations = { ...(withNode.metadata.annotations ?? {}), ...annotations };
  const updated = ctx.store.update(t.key, withNode);
  ctx.store.modify(t.key, t.namespace, t.name!, (current: KubeObject) => {
    const status = (current.status ?? {}) as { conditions?: PodCondition[] };
    const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ctx.clock.now().toISOString().replace(/\.\d+Z$/, 'Z') });
    return { ...current, status: { ...status, conditions } };
  }, { subresource: 'status' });
  void updated;
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
