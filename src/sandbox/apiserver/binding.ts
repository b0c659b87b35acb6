/**
 * pods/binding: what the scheduler POSTs to place a pod on a node (registry/core/pod/storage
 * BindingREST). The store sets spec.nodeName and the PodScheduled condition, with 409 when the pod
 * is already bound or being deleted; the API server answers 201 with a Success Status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, sendJson } from './errors.js';
import { readObject } from './body.js';
import type { ApiContext, Target } from './context.js';

/** POST pods/NAME/binding, or POST namespaces/NS/bindings (the older form; the pod is the Binding's name). */
export async function bindPod(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, where: Omit<Target, 'type' | 'key'>) {
  const binding = await readObject(req);
  const t = { ...where, name: where.name ?? ((binding.metadata as { name?: string } | undefined)?.name ?? '') };
  if (!t.name) {
    throw new ApiError(422, 'Invalid', 'Binding "" is invalid: metadata.name: Required value: name or generateName is required', {
      kind: 'Binding',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
    });
  }
  if (binding.kind !== undefined && binding.kind !== 'Binding') throw badRequest(`${String(binding.kind)} in version "${String(binding.apiVersion)}" cannot be handled as a Binding`);
  const meta = (binding.metadata ?? {}) as { name?: string; namespace?: string };
  if (meta.name && meta.name !== t.name) throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${t.name})`);
  if (meta.namespace && meta.namespace !== t.namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const target = (binding.target ?? {}) as { kind?: string; name?: string };
  if (target.kind && target.kind !== 'Node') {
    throw new ApiError(422, 'Invalid', `Binding "${t.name}" is invalid: target.kind: Invalid value: "${target.kind}": must be empty or 'Node'`, {
      name: t.name,
      kind: 'Binding',
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "${target.kind}": must be empty or 'Node'`, field: 'target.kind' }],
    });
  }
  ctx.store.bind(t.namespace!, t.name!, target.name ?? '');
  sendJson(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
}
