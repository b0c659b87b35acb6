/**
 * What the Deployment controller knows about a deployment and its ReplicaSets
 * (pkg/controller/deployment/util/deployment_util.go): defaults, maxSurge/maxUnavailable,
 * template hashes and equality, replica counts and proportional scaling. Pure functions.
 */
import type { KubeObject } from '../store/types.js';
import { computeHash, canonicalJson } from './hash.js';
import { scaledValue, type IntOrString } from './intstr.js';
import type { LabelSelector } from './labels.js';
import { creationTime } from './pods.js';
import { revisionValue } from './revision.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

export const SKIP_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
  [k: string]: unknown;
}

/** The deployment's spec with the API server's defaults filled in. */
export interface DeploymentSpec {
  replicas: number;
  selector?: LabelSelector;
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
  strategy: { type: 'RollingUpdate' | 'Recreate'; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
  minReadySeconds: number;
  revisionHistoryLimit: number;
  progressDeadlineSeconds?: number;
  paused: boolean;
}

export function deploymentSpec(d: KubeObject): DeploymentSpec {
  const s = (d.spec ?? {}) as Record<string, any>;
  const type = s.strategy?.type === 'Recreate' ? 'Recreate' : 'RollingUpdate';
  return {
    replicas: s.replicas ?? 1,
    selector: s.selector,
    template: s.template ?? {},
    strategy:
      type === 'Recreate'
        ? { type }
        : { type, rollingUpdate: { maxSurge: s.strategy?.rollingUpdate?.maxSurge ?? '25%', maxUnavailable: s.strategy?.rollingUpdate?.maxUnavailable ?? '25%' } },
    minReadySeconds: s.minReadySeconds ?? 0,
    revisionHistoryLimit: s.revisionHistoryLimit ?? 10,
    progressDeadlineSeconds: s.progressDeadlineSeconds === undefined ? 600 : s.progressDeadlineSeconds ?? undefined,
    paused: !!s.paused,
  };
}

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down; both zero → unavailable 1. */
export function resolveFenceposts(maxSurge: IntOrString | undefined, maxUnavailable: IntOrString | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(spec: DeploymentSpec): number {
  if (spec.strategy.type !== 'RollingUpdate') return 0;
  return resolveFenceposts(spec.strategy.rollingUpdate?.maxSurge, spec.strategy.rollingUpdate?.maxUnavailable, spec.replicas).surge;
}

export function maxUnavailable(spec: DeploymentSpec): number {
  if (spec.strategy.type !== 'RollingUpdate' || spec.replicas === 0) return 0;
  const { unavailable } = resolveFenceposts(spec.strategy.rollingUpdate?.maxSurge, spec.strategy.rollingUpdate?.maxUnavailable, spec.replicas);
  return Math.min(unavailable, spec.replicas);
}

// ---- ReplicaSet helpers ----------------------------------------------------------------------

export type RS = KubeObject;
export const replicasOf = (rs: RS): number => ((rs.spec as { replicas?: number } | undefined)?.replicas ?? 1) as number;
export const statusOf = (rs: RS) => (rs.status ?? {}) as { replicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
export const setReplicas = (rs: RS, n: number) => {
  rs.spec = { ...(rs.spec as object), replicas: n };
};
/** deploymentutil.Revision: the revision as an exact int64 (0 when missing, undefined when unparsable). */
export const revisionOf = (obj: KubeObject): bigint | undefined => revisionValue(obj.metadata.annotations, REVISION);

/** The template's canonical JSON without its pod-template-hash label (shallow copies: the template itself is left alone). */
function withoutHash(template: unknown): string {
  const t = (template ?? {}) as { metadata?: Record<string, unknown> & { labels?: Record<string, string> } };
  if (!t.metadata) return canonicalJson(t);
  const metadata: Record<string, unknown> = { ...t.metadata };
  if (t.metadata.labels) {
    const { [POD_TEMPLATE_HASH]: _hash, ...labels } = t.metadata.labels;
    if (Object.keys(labels).length === 0) delete metadata.labels;
    else metadata.labels = labels;
  }
  return canonicalJson({ ...t, metadata: Object.keys(metadata).length === 0 ? undefined : metadata });
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return withoutHash(a) === withoutHash(b);
}

export const byCreation = (a: RS, b: RS) => creationTime(a) - creationTime(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the deployment's. */
export function findNewReplicaSet(d: KubeObject, rsList: RS[]): RS | undefined {
  const template = deploymentSpec(d).template;
  return [...rsList].sort(byCreation).find((rs) => equalIgnoreHash((rs.spec as { template?: unknown }).template, template));
}

export function podTemplateHash(d: KubeObject): string {
  const status = (d.status ?? {}) as DeploymentStatus;
  return computeHash(deploymentSpec(d).template, status.collisionCount);
}

const sum = (rss: RS[], f: (rs: RS) => number) => rss.reduce((n, rs) => n + f(rs), 0);
export const specReplicaCount = (rss: RS[]) => sum(rss, replicasOf);
export const actualReplicaCount = (rss: RS[]) => sum(rss, (rs) => statusOf(rs).replicas ?? 0);
export const readyReplicaCount = (rss: RS[]) => sum(rss, (rs) => statusOf(rs).readyReplicas ?? 0);
export const availableReplicaCount = (rss: RS[]) => sum(rss, (rs) => statusOf(rs).availableReplicas ?? 0);
export const active = (rss: RS[]) => rss.filter((rs) => replicasOf(rs) > 0);

/** NewRSNewReplicas: the new ReplicaSet's size for this step of the rollout. */
export function newRSNewReplicas(spec: DeploymentSpec, allRSs: RS[], newRS: RS): number {
  if (spec.strategy.type === 'Recreate') return spec.replicas;
  const surge = scaledValue(spec.strategy.rollingUpdate?.maxSurge, spec.replicas, true);
  const current = specReplicaCount(allRSs);
  const maxTotal = spec.replicas + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const up = Math.min(maxTotal - current, spec.replicas - replicasOf(newRS));
  return replicasOf(newRS) + up;
}

/** getReplicaSetFraction / GetProportion for proportional scaling. */
export function replicaSetFraction(rs: RS, spec: DeploymentSpec, statusReplicas: number): number {
  if (spec.replicas === 0) return -replicasOf(rs);
  const deploymentReplicas = spec.replicas + maxSurge(spec);
  const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS]);
  const base = Number.isInteger(annotated) && rs.metadata.annotations?.[MAX_REPLICAS] !== undefined ? annotated : statusReplicas;
  if (!base) return 0;
  const newSize = Math.round((replicasOf(rs) * deploymentReplicas) / base);
  return newSize - replicasOf(rs);
}

export function proportion(rs: RS, spec: DeploymentSpec, statusReplicas: number, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, spec, statusReplicas);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * The proportional scaling part of `scale()`: new sizes for the active ReplicaSets when the
 * deployment is resized in the middle of a rollout.
 */
export function proportionalSizes(spec: DeploymentSpec, activeRSs: RS[], statusReplicas: number): Map<string, number> {
  const allowedSize = spec.replicas > 0 ? spec.replicas + maxSurge(spec) : 0;
  const toAdd = allowedSize - specReplicaCount(activeRSs);
  const sorted = [...activeRSs];
  if (toAdd > 0) sorted.sort((a, b) => replicasOf(b) - replicasOf(a) || creationTime(b) - creationTime(a)); // larger, then newer first
  else if (toAdd < 0) sorted.sort((a, b) => replicasOf(b) - replicasOf(a) || creationTime(a) - creationTime(b)); // larger, then older first
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of sorted) {
    if (toAdd !== 0) {
      const p = proportion(rs, spec, statusReplicas, toAdd, added);
      sizes.set(rs.metadata.name!, replicasOf(rs) + p);
      added += p;
    } else sizes.set(rs.metadata.name!, replicasOf(rs));
  }
  if (sorted.length && toAdd !== 0) {
    const first = sorted[0]!.metadata.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  // Preserve the sorted order for callers that scale in sequence.
  return new Map(sorted.map((rs) => [rs.metadata.name!, sizes.get(rs.metadata.name!)!]));
}
