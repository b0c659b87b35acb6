/** Pure pieces both workload strategies share: revision labels, pod tallies, the observed revisions' list. */
import { ANNOTATION_RELEASE_ORDER, LABEL_REVISION } from '../render/names.js';
import type { EnvironmentTarget, ObservedInstance, ObservedRevision, ObservedStatefulSet } from '../workloads-types.js';
import type { WorkloadObject, WorkloadStrategy } from './types.js';

/** An object's cairn.dev/revision label as a whole number, else null. */
export function revisionLabel(o: { metadata?: { labels?: Record<string, string> } }): number | null {
  const label = o.metadata?.labels?.[LABEL_REVISION];
  const n = Number(label);
  return label !== undefined && Number.isInteger(n) ? n : null;
}

/** The cairn.dev/release-order annotation, or null. */
export const releaseOrderOf = (o: { metadata?: { annotations?: Record<string, string> } }): string | null => o.metadata?.annotations?.[ANNOTATION_RELEASE_ORDER] ?? null;

/** How many of the live instances run revision `n`, and how many of those are Ready. */
export function tally(live: readonly ObservedInstance[], n: number): { current: number; ready: number } {
  let current = 0;
  let ready = 0;
  for (const i of live) {
    if (i.revision !== n) continue;
    current++;
    if (i.ready) ready++;
  }
  return { current, ready };
}

/**
 * The environment's revisions as the engine observes them (pure): those its workloads hold (by the
 * strategy), then those only pods still show (their workload is gone: desired 0), by number.
 * `workloads` are the environment's objects of `strategy.informerKind`; `instances` all its pods.
 */
export function observedRevisions(
  strategy: WorkloadStrategy,
  target: EnvironmentTarget,
  workloads: readonly WorkloadObject[],
  instances: readonly ObservedInstance[],
): { revisions: ObservedRevision[]; statefulSet: ObservedStatefulSet | null } {
  const live = instances.filter((i) => !i.terminating);
  const { revisions, statefulSet } = strategy.observeWorkloads(target, workloads, live);
  for (const i of live) {
    if (i.revision !== null && !revisions.has(i.revision)) revisions.set(i.revision, { number: i.revision, desired: 0, workload: '', ...tally(live, i.revision) });
  }
  return { revisions: [...revisions.values()].sort((a, b) => a.number - b.number), statefulSet };
}
