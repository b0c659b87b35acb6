/**
 * StoreErrors with the messages and details a real API server puts in its `Status` bodies
 * (k8s.io/apimachinery/pkg/api/errors).
 */
import { StoreError, type ResourceType } from './types.js';
import { qualifiedKind, qualifiedResource } from './resources.js';
import { aggregate, type FieldError } from './field-errors.js';

const resourceDetails = (t: ResourceType, name: string) => ({ name, group: t.group || undefined, kind: t.resource });

export function notFound(t: ResourceType, name: string): StoreError {
  return new StoreError(404, 'NotFound', `${qualifiedResource(t)} "${name}" not found`, resourceDetails(t, name));
}

export function alreadyExists(t: ResourceType, name: string): StoreError {
  return new StoreError(409, 'AlreadyExists', `${qualifiedResource(t)} "${name}" already exists`, resourceDetails(t, name));
}

/** 409 Conflict: `Operation cannot be fulfilled on deployments.apps "x": <why>`. */
export function conflict(t: ResourceType, name: string, why: string): StoreError {
  return new StoreError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(t)} "${name}": ${why}`, resourceDetails(t, name));
}

export const OPTIMISTIC_LOCK_ERROR = 'the object has been modified; please apply your changes to the latest version and try again';

export function staleVersion(t: ResourceType, name: string): StoreError {
  return conflict(t, name, OPTIMISTIC_LOCK_ERROR);
}

/** 422 Invalid: `Deployment.apps "x" is invalid: <errors>` with one cause per field error. */
export function invalid(t: ResourceType, name: string, errors: FieldError[]): StoreError {
  const agg = aggregate(errors);
  return new StoreError(422, 'Invalid', `${qualifiedKind(t)} "${name}" is invalid${agg ? `: ${agg}` : ''}`, {
    name,
    group: t.group || undefined,
    kind: t.kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}

export function badRequest(message: string): StoreError {
  return new StoreError(400, 'BadRequest', message);
}

export function forbidden(t: ResourceType, name: string, why: string): StoreError {
  return new StoreError(403, 'Forbidden', `${qualifiedResource(t)} "${name}" is forbidden: ${why}`, resourceDetails(t, name));
}

/**
 * 410 for a watch or list from a resourceVersion that is no longer retained. A real API server sends
 * this with reason `Expired` (NewResourceExpired); the StoreError reason union only has `Gone`, so
 * the HTTP layer should write `Expired` when it sees code 410 from eventsSince (clients key on the code).
 */
export function tooOld(requested: number, oldest: number): StoreError {
  return new StoreError(410, 'Gone', `too old resource version: ${requested} (${oldest})`);
}
