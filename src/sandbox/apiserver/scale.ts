/** The scale subresource: an autoscaling/v1 Scale view of a Deployment, ReplicaSet or StatefulSet. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, ResourceType } from '../store/types.js';
import { labelSelectorToString, type LabelSelector } from '../store/selectors.js';
import { ApiError, badRequest, sendJson } from './errors.js';
import { readObject } from './body.js';
import { getOrNotFound } from './objects.js';
import type { ApiContext, Target } from './context.js';
import { isDryRun, wouldUpdate } from './dry-run.js';

interface Scale {
  kind: 'Scale';
  apiVersion: 'autoscaling/v1';
  metadata: KubeObject['metadata'];
  spec: { replicas?: number };
  status: { replicas: number; selector?: string };
}

export function scaleOf(_type: ResourceType, object: KubeObject): Scale {
  const spec = (object.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (object.status ?? {}) as { replicas?: number };
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  const scale: Scale = {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0 },
  };
  if (spec.selector) {
    // A ReplicationController's selector is a plain label map.
    const selector = _type.kind === 'ReplicationController' ? { matchLabels: spec.selector as Record<string, string> } : spec.selector;
    scale.status.selector = labelSelectorToString(selector);
  }
  return scale;
}

/** The object with the Scale's replicas; the Scale's resourceVersion, when set, is a precondition. */
export function withScale(t: Target, current: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) throw badRequest(`spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be an integer`);
  if (typeof replicas === 'number' && replicas < 0) {
    throw new ApiError(422, 'Invalid', `Scale.autoscaling "${t.name}" is invalid: spec.replicas: Invalid value: ${replicas}: must be greater than or equal to 0`, {
      name: t.name,
      group: 'autoscaling',
      kind: 'Scale',
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${replicas}: must be greater than or equal to 0`, field: 'spec.replicas' }],
    });
  }
  const next = structuredClone(current);
  next.spec = { ...((next.spec as object) ?? {}), replicas: replicas ?? 0 };
  next.metadata.resourceVersion = scale.metadata?.resourceVersion || current.metadata.resourceVersion;
  return next;
}

export function getScale(ctx: ApiContext, res: ServerResponse, t: Target) {
  sendJson(res, 200, scaleOf(t.type, getOrNotFound(ctx, t)));
}

export async function updateScale(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const scale = (await readObject(req)) as KubeObject;
  if (scale.kind !== undefined && scale.kind !== 'Scale') throw badRequest(`${String(scale.kind)} in version "${String(scale.apiVersion)}" cannot be handled as a Scale`);
  scale.metadata ??= {};
  if (scale.metadata.name && scale.metadata.name !== t.name) throw badRequest(`the name of the object (${scale.metadata.name}) does not match the name on the URL (${t.name})`);
  const current = getOrNotFound(ctx, t);
  const next = withScale(t, current, scale);
  const updated = isDryRun(t.query) ? wouldUpdate(t, current, next) : ctx.store.update(t.key, next);
  sendJson(res, 200, scaleOf(t.type, updated));
}
