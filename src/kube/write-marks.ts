/**
 * Read your own writes on a cache: the newest resourceVersion cairn wrote to each watched kind in
 * each namespace of a cluster. A reader of an informer cache waits until the cache has seen that
 * version before it trusts the cache, so the engine never acts twice on a state it already changed.
 * Every successful create, update, patch or delete through a BoundedKubeConfig is recorded.
 */
import type { KubeRequest } from './kube-request.js';

/** The kinds whose writes are marked: the ones informers watch. */
const WATCHED = new Set(['Pod', 'Deployment', 'StatefulSet']);
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete']);

export interface WriteMarks {
  /** Records the answer to a call (ignored unless it is a write of a watched kind that names a resourceVersion). */
  record(request: KubeRequest, answer: unknown): void;
  /** The newest resourceVersion cairn wrote to objects of `kind` in `namespace`; null when none. */
  latest(kind: string, namespace: string): string | null;
}

/** Whether resourceVersion `seen` is at least `wanted`. resourceVersions are compared as numbers when both are (etcd's are); otherwise only equality counts. */
export function reached(seen: string, wanted: string): boolean {
  if (seen === wanted) return true;
  if (!/^\d+$/.test(seen) || !/^\d+$/.test(wanted)) return false;
  return seen.length !== wanted.length ? seen.length > wanted.length : seen > wanted;
}

export function createWriteMarks(): WriteMarks {
  const marks = new Map<string, string>();
  return {
    record(request, answer) {
      if (!WRITE_VERBS.has(request.verb) || !WATCHED.has(request.kind) || !request.namespace) return;
      const rv = (answer as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
      if (typeof rv !== 'string' || rv === '') return;
      const key = `${request.kind} ${request.namespace}`;
      const before = marks.get(key);
      if (before === undefined || reached(rv, before)) marks.set(key, rv);
    },
    latest: (kind, namespace) => marks.get(`${kind} ${namespace}`) ?? null,
  };
}
