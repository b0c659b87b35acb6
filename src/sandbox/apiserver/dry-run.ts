/**
 * `?dryRun=All` (kubectl diff, --dry-run=server): the request is checked and answered as if it were
 * carried out, and nothing is stored. The store has no dry-run mode, so its validation of the result
 * is skipped; name, namespace, kind, existence and resourceVersion preconditions are still checked.
 */
import type { KubeObject } from '../store/types.js';
import { ApiError, badRequest } from './errors.js';
import { qualified, type Target } from './context.js';

export function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`dryRun: Unsupported value: "${v}": supported values: "All"`);
  return values.length > 0;
}

/** What an update would store: the new object with the server-owned metadata of the current one. */
export function wouldUpdate(t: Target, current: KubeObject, next: KubeObject, subresource?: 'status'): KubeObject {
  const rv = next.metadata.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) {
    throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(t.type)} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`, {
      name: t.name,
      group: t.type.group || undefined,
      kind: t.type.resource,
    });
  }
  const result = subresource === 'status' ? { ...structuredClone(current), status: next.status } : { ...next, status: current.status };
  const { uid, creationTimestamp, generation, resourceVersion, deletionTimestamp } = current.metadata;
  result.metadata = { ...result.metadata, uid, creationTimestamp, generation, resourceVersion, ...(deletionTimestamp ? { deletionTimestamp } : {}) };
  return result as KubeObject;
}
