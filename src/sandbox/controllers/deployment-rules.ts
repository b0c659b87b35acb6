/**
 * The Deployment controller's decisions (pkg/controller/deployment: sync.go, rolling.go,
 * recreate.go, progress.go and util/deployment_util.go), as pure functions. `planDeployment` runs
 * one syncDeployment pass over in-memory copies and returns the writes it would make, in order.
 */
import type { KubeObject } from '../store/types.js';
import { computeHash, canonicalJson } from './hash.js';
import { scaledValue, type IntOrString } from './intstr.js';
import type { LabelSelector } from './labels.js';
import { selectorIsEmpty } from './labels.js';
import { clone, creationTime, isPodTerminal, omitZero, ownerReferenceTo, simElapsedMs } from './pods.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';

const SKIP_ANNOTATIONS = new Set([
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

type RS = KubeObject;
const replicasOf = (rs: RS): number => ((rs.spec as { replicas?: number } | undefined)?.replicas ?? 1) as number;
const statusOf = (rs: RS) => (rs.status ?? {}) as { replicas?: number; readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
const setReplicas = (rs: RS, n: number) => {
  rs.spec = { ...(rs.spec as object), replicas: n };
};
export const revisionOf = (obj: KubeObject): number => {
  const v = obj.metadata.annotations?.[REVISION];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
};

function withoutHash(template: unknown): string {
  const t = clone((template ?? {}) as { metadata?: { labels?: Record<string, string> } });
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(t.metadata.labels).length === 0) delete t.metadata.labels;
  }
  if (t.metadata && Object.keys(t.metadata).length === 0) delete t.metadata;
  return canonicalJson(t);
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label. */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  return withoutHash(a) === withoutHash(b);
}

const byCreation = (a: RS, b: RS) => creationTime(a) - creationTime(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1);

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
const actualReplicaCount = (rss: RS[]) => sum(rss, (rs) => statusOf(rs).replicas ?? 0);
const readyReplicaCount = (rss: RS[]) => sum(rss, (rs) => statusOf(rs).readyReplicas ?? 0);
const availableReplicaCount = (rss: RS[]) => sum(rss, (rs) => statusOf(rs).availableReplicas ?? 0);
const active = (rss: RS[]) => rss.filter((rs) => replicasOf(rs) > 0);

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

// ---- conditions ----------------------------------------------------------------------------

export function rfc3339(t: Date): string {
  return t.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function getCondition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: Date): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: same status and reason → unchanged; same status → keep lastTransitionTime. */
export function setCondition(status: DeploymentStatus, c: DeploymentCondition): void {
  const current = getCondition(status, c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  if (current && current.status === c.status) c.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), c];
}

function removeCondition(status: DeploymentStatus, type: string): void {
  if (status.conditions) status.conditions = status.conditions.filter((c) => c.type !== type);
}

/** calculateStatus. */
export function calculateStatus(d: KubeObject, allRSs: RS[], newRS: RS | undefined, current: DeploymentStatus, now: Date): DeploymentStatus {
  const spec = deploymentSpec(d);
  const available = availableReplicaCount(allRSs);
  const total = specReplicaCount(allRSs);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 1,
    replicas: actualReplicaCount(allRSs),
    updatedReplicas: newRS ? actualReplicaCount([newRS]) : 0,
    readyReplicas: readyReplicaCount(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  // DeploymentStatus counters are all `omitempty`.
  omitZero(status, ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']);
  if (current.collisionCount !== undefined) status.collisionCount = current.collisionCount;
  if (current.conditions) status.conditions = clone(current.conditions);
  if (available >= spec.replicas - maxUnavailable(spec)) {
    setCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', now));
  }
  return status;
}

export function deploymentComplete(spec: DeploymentSpec, generation: number, status: DeploymentStatus): boolean {
  return (
    (status.updatedReplicas ?? 0) === spec.replicas &&
    (status.replicas ?? 0) === spec.replicas &&
    (status.availableReplicas ?? 0) === spec.replicas &&
    (status.observedGeneration ?? 0) >= generation
  );
}

function deploymentProgressing(old: DeploymentStatus, next: DeploymentStatus): boolean {
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
  return (
    (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
    newOld < oldOld ||
    (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
    (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
  );
}

function timedOut(spec: DeploymentSpec, status: DeploymentStatus, now: Date, speed: number): boolean {
  if (spec.progressDeadlineSeconds === undefined) return false;
  const c = getCondition(status, 'Progressing');
  if (!c || c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  return simElapsedMs(c.lastUpdateTime, now, speed) > spec.progressDeadlineSeconds * 1000;
}

/** syncRolloutStatus: calculateStatus plus the Progressing condition. */
export function rolloutStatus(d: KubeObject, allRSs: RS[], newRS: RS | undefined, current: DeploymentStatus, now: Date, speed = 1): DeploymentStatus {
  const spec = deploymentSpec(d);
  const next = calculateStatus(d, allRSs, newRS, current, now);
  if (spec.progressDeadlineSeconds === undefined) removeCondition(next, 'Progressing');
  const cond = getCondition(current, 'Progressing');
  const isComplete = (next.replicas ?? 0) === (next.updatedReplicas ?? 0) && cond?.reason === 'NewReplicaSetAvailable';
  // getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else an old one's.
  const failure = [...(newRS ? [newRS] : []), ...allRSs.filter((rs) => rs !== newRS)]
    .map((rs) => ((rs.status as { conditions?: Record<string, string>[] } | undefined)?.conditions ?? []).find((c) => c.type === 'ReplicaFailure'))
    .find((c) => c);
  if (failure) {
    const t = failure.lastTransitionTime ?? rfc3339(now);
    setCondition(next, { type: 'ReplicaFailure', status: failure.status as DeploymentCondition['status'], reason: failure.reason ?? '', message: failure.message ?? '', lastUpdateTime: t, lastTransitionTime: t });
  } else removeCondition(next, 'ReplicaFailure');
  if (spec.progressDeadlineSeconds !== undefined && !isComplete) {
    const name = d.metadata.name;
    if (deploymentComplete(spec, d.metadata.generation ?? 1, next)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has successfully progressed.` : `Deployment "${name}" has successfully progressed.`;
      setCondition(next, newCondition('Progressing', 'True', 'NewReplicaSetAvailable', msg, now));
    } else if (deploymentProgressing(current, next)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : `Deployment "${name}" is progressing.`;
      const c = newCondition('Progressing', 'True', 'ReplicaSetUpdated', msg, now);
      if (cond?.status === 'True') c.lastTransitionTime = cond.lastTransitionTime;
      removeCondition(next, 'Progressing');
      setCondition(next, c);
    } else if (timedOut(spec, next, now, speed)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${name}" has timed out progressing.`;
      setCondition(next, newCondition('Progressing', 'False', 'ProgressDeadlineExceeded', msg, now));
    }
  }
  return next;
}

/** requeueStuckDeployment: when to look again so that ProgressDeadlineExceeded is noticed (ms). */
export function stuckRequeueAfter(spec: DeploymentSpec, status: DeploymentStatus, now: Date, speed = 1): number | undefined {
  const c = getCondition(status, 'Progressing');
  if (spec.progressDeadlineSeconds === undefined || !c) return undefined;
  if (c.reason === 'NewReplicaSetAvailable' || c.reason === 'ProgressDeadlineExceeded') return undefined;
  if (spec.paused || c.reason === 'DeploymentPaused') return undefined;
  // Simulated ms, plus a second, as requeueStuckDeployment does.
  const after = spec.progressDeadlineSeconds * 1000 - simElapsedMs(c.lastUpdateTime, now, speed);
  return Math.max(0, after) + 1000;
}

// ---- the sync pass -------------------------------------------------------------------------

export type DeploymentEffect =
  | { type: 'createReplicaSet'; replicaSet: KubeObject }
  | { type: 'updateReplicaSet'; name: string; replicas?: number; minReadySeconds?: number; annotations: Record<string, string> }
  | { type: 'deleteReplicaSet'; name: string; uid: string }
  | { type: 'annotateDeployment'; annotations: Record<string, string> }
  | { type: 'updateStatus'; status: DeploymentStatus }
  | { type: 'event'; eventType: 'Normal' | 'Warning'; reason: string; message: string };

export interface DeploymentInput {
  deployment: KubeObject;
  /** ReplicaSets controlled by the deployment. */
  replicaSets: KubeObject[];
  /** Pods of those ReplicaSets (Recreate waits until the old ones are gone). */
  pods: KubeObject[];
  now: Date;
  /** The clock's speed: simulated durations in the spec against real timestamps. */
  speed?: number;
}

export interface DeploymentPlan {
  effects: DeploymentEffect[];
  requeueAfterMs?: number;
}

export function planDeployment(input: DeploymentInput): DeploymentPlan {
  const { now } = input;
  const speed = input.speed ?? 1;
  const d = clone(input.deployment);
  const spec = deploymentSpec(d);
  const storedStatus = clone((d.status ?? {}) as DeploymentStatus);
  let status = clone(storedStatus);
  const effects: DeploymentEffect[] = [];
  const rsList = input.replicaSets.map((rs) => clone(rs));
  const name = d.metadata.name!;
  const surge = maxSurge(spec);
  const event = (reason: string, message: string, eventType: 'Normal' | 'Warning' = 'Normal') =>
    effects.push({ type: 'event', eventType, reason, message });

  const finish = (requeueAfterMs?: number): DeploymentPlan => {
    if (canonicalJson(status) !== canonicalJson(storedStatus)) effects.push({ type: 'updateStatus', status });
    return { effects, requeueAfterMs };
  };

  if (!spec.selector || selectorIsEmpty(spec.selector)) {
    event('SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.', 'Warning');
    return finish();
  }

  const setDeploymentRevision = (rev: string) => {
    if (d.metadata.annotations?.[REVISION] === rev) return;
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), [REVISION]: rev };
    effects.push({ type: 'annotateDeployment', annotations: { [REVISION]: rev } });
  };

  /** SetReplicasAnnotations; returns whether they changed. */
  const setReplicasAnnotations = (rs: RS, changed: Record<string, string>): boolean => {
    const a = (rs.metadata.annotations ??= {});
    let c = false;
    for (const [k, v] of [
      [DESIRED_REPLICAS, String(spec.replicas)],
      [MAX_REPLICAS, String(spec.replicas + surge)],
    ] as const) {
      if (a[k] !== v) {
        a[k] = v;
        changed[k] = v;
        c = true;
      }
    }
    return c;
  };

  /** scaleReplicaSet(AndRecordEvent). */
  const scaleRS = (rs: RS, newScale: number, operation?: 'up' | 'down'): boolean => {
    const old = replicasOf(rs);
    const sizeNeedsUpdate = old !== newScale;
    const changed: Record<string, string> = {};
    const annotationsChanged = setReplicasAnnotations(rs, changed);
    if (!sizeNeedsUpdate && !annotationsChanged) return false;
    setReplicas(rs, newScale);
    effects.push({ type: 'updateReplicaSet', name: rs.metadata.name!, replicas: newScale, annotations: changed });
    if (sizeNeedsUpdate) {
      const op = operation ?? (old < newScale ? 'up' : 'down');
      event('ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata.name} to ${newScale} from ${old}`);
    }
    return sizeNeedsUpdate;
  };
  const scaleRSAndRecord = (rs: RS, newScale: number): boolean => (replicasOf(rs) === newScale ? false : scaleRS(rs, newScale));

  /** getAllReplicaSetsAndSyncRevision. */
  const allAndSync = (create: boolean): { newRS: RS | undefined; oldRSs: RS[] } => {
    const existing = findNewReplicaSet(d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const maxOld = oldRSs.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    const newRevision = String(maxOld + 1);
    if (existing) {
      const changed: Record<string, string> = {};
      const a = (existing.metadata.annotations ??= {});
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
        if (SKIP_ANNOTATIONS.has(k) || a[k] === v) continue;
        a[k] = v;
        changed[k] = v;
      }
      const oldRev = a[REVISION];
      if (oldRev === undefined || Number(oldRev) < Number(newRevision)) {
        if (oldRev !== undefined && oldRev !== '') {
          const history = a[REVISION_HISTORY] ? `${a[REVISION_HISTORY]},${oldRev}` : oldRev;
          a[REVISION_HISTORY] = history;
          changed[REVISION_HISTORY] = history;
        }
        a[REVISION] = newRevision;
        changed[REVISION] = newRevision;
      }
      const rsMinReady = (existing.spec as { minReadySeconds?: number }).minReadySeconds ?? 0;
      const minReadyChanged = rsMinReady !== spec.minReadySeconds;
      if (Object.keys(changed).length || minReadyChanged) {
        const e: DeploymentEffect = { type: 'updateReplicaSet', name: existing.metadata.name!, annotations: changed };
        if (minReadyChanged) {
          e.minReadySeconds = spec.minReadySeconds;
          existing.spec = { ...(existing.spec as object), minReadySeconds: spec.minReadySeconds };
        }
        effects.push(e);
      }
      setDeploymentRevision(a[REVISION]!);
      if (spec.progressDeadlineSeconds !== undefined && !getCondition(status, 'Progressing')) {
        setCondition(status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${existing.metadata.name}"`, now));
      }
      return { newRS: existing, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };
    const hash = podTemplateHash(d);
    const template = clone(spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH]: hash } };
    const selector = clone(spec.selector!);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIP_ANNOTATIONS.has(k)) annotations[k] = v;
    const newRS: RS = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: { ...template.metadata.labels! },
        annotations,
        ownerReferences: [ownerReferenceTo(d)],
      },
      spec: { replicas: 0, ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}), selector, template },
    };
    const count = newRSNewReplicas(spec, [...oldRSs, newRS], newRS);
    setReplicas(newRS, count);
    annotations[REVISION] = newRevision;
    setReplicasAnnotations(newRS, {});
    effects.push({ type: 'createReplicaSet', replicaSet: clone(newRS) });
    newRS.metadata.creationTimestamp = rfc3339(now);
    rsList.push(newRS);
    if (count > 0) event('ScalingReplicaSet', `Scaled up replica set ${newRS.metadata.name} to ${count}`);
    setDeploymentRevision(newRevision);
    if (spec.progressDeadlineSeconds !== undefined) {
      setCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${newRS.metadata.name}"`, now));
    }
    return { newRS, oldRSs };
  };

  /** cleanupDeployment: delete old, empty ReplicaSets beyond revisionHistoryLimit, oldest revision first. */
  const cleanup = (oldRSs: RS[]) => {
    const cleanable = oldRSs.filter((rs) => replicasOf(rs) === 0 && (statusOf(rs).replicas ?? 0) === 0 && !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - spec.revisionHistoryLimit;
    if (diff <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.metadata.generation ?? 1) > (statusOf(rs).observedGeneration ?? 0)) continue;
      effects.push({ type: 'deleteReplicaSet', name: rs.metadata.name!, uid: rs.metadata.uid ?? '' });
    }
  };

  /** scale(): resizing without a template change. */
  const scale = (newRS: RS | undefined, oldRSs: RS[]) => {
    const olderFirst = [...oldRSs].sort((a, b) => byCreation(b, a));
    const activeAll = active([...oldRSs, ...(newRS ? [newRS] : [])]);
    let activeOrLatest: RS | undefined;
    if (activeAll.length === 0) activeOrLatest = newRS ?? olderFirst[0];
    else if (activeAll.length === 1) activeOrLatest = activeAll[0];
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) !== spec.replicas) scaleRSAndRecord(activeOrLatest, spec.replicas);
      return;
    }
    const saturated =
      !!newRS &&
      replicasOf(newRS) === spec.replicas &&
      Number(newRS.metadata.annotations?.[DESIRED_REPLICAS]) === spec.replicas &&
      (statusOf(newRS).availableReplicas ?? 0) === spec.replicas;
    if (saturated) {
      for (const old of active(oldRSs)) scaleRSAndRecord(old, 0);
      return;
    }
    if (spec.strategy.type === 'RollingUpdate') {
      const sizes = proportionalSizes(spec, activeAll, status.replicas ?? 0);
      const toAdd = (spec.replicas > 0 ? spec.replicas + surge : 0) - specReplicaCount(activeAll);
      const op = toAdd > 0 ? 'up' : toAdd < 0 ? 'down' : undefined;
      for (const [rsName, size] of sizes) {
        const rs = rsList.find((r) => r.metadata.name === rsName)!;
        scaleRS(rs, size, op);
      }
    }
  };

  if (d.metadata.deletionTimestamp) {
    const { newRS, oldRSs } = allAndSync(false);
    status = calculateStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS, status, now);
    return finish();
  }

  // checkPausedConditions
  if (spec.progressDeadlineSeconds !== undefined) {
    const cond = getCondition(status, 'Progressing');
    if (cond?.reason !== 'ProgressDeadlineExceeded') {
      const pausedExists = cond?.reason === 'DeploymentPaused';
      if (spec.paused && !pausedExists) setCondition(status, newCondition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now));
      else if (!spec.paused && pausedExists) setCondition(status, newCondition('Progressing', 'Unknown', 'DeploymentResumed', 'Deployment is resumed', now));
    }
  }

  const isScalingEvent = (): boolean => {
    const existing = findNewReplicaSet(d, rsList);
    const all = [...rsList.filter((rs) => rs !== existing), ...(existing ? [existing] : [])];
    return active(all).some((rs) => {
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && Number(desired) !== spec.replicas;
    });
  };

  if (spec.paused || isScalingEvent()) {
    const { newRS, oldRSs } = allAndSync(false);
    scale(newRS, oldRSs);
    if (spec.paused) cleanup(oldRSs);
    status = calculateStatus(d, [...oldRSs, ...(newRS ? [newRS] : [])], newRS, status, now);
    return finish();
  }

  const syncRollout = (newRS: RS | undefined, oldRSs: RS[]): DeploymentPlan => {
    const all = [...oldRSs, ...(newRS ? [newRS] : [])];
    // syncRolloutStatus compares against the status as stored before this pass's condition changes
    // (d.Status was mutated in place by getNewReplicaSet in Kubernetes too).
    status = rolloutStatus(d, all, newRS, status, now, speed);
    return finish(stuckRequeueAfter(spec, status, now, speed));
  };

  if (spec.strategy.type === 'Recreate') {
    let { newRS, oldRSs } = allAndSync(false);
    let scaledDown = false;
    for (const rs of active(oldRSs)) if (scaleRSAndRecord(rs, 0)) scaledDown = true;
    if (scaledDown) return syncRollout(newRS, oldRSs);
    const oldUids = new Set(oldRSs.map((rs) => rs.metadata.uid));
    const oldRunning =
      oldRSs.some((rs) => (statusOf(rs).replicas ?? 0) > 0) ||
      input.pods.some((p) => {
        const ref = (p.metadata.ownerReferences ?? []).find((r) => r.controller);
        return !!ref && oldUids.has(ref.uid) && !isPodTerminal(p);
      });
    if (oldRunning) return syncRollout(newRS, oldRSs);
    if (!newRS) ({ newRS, oldRSs } = allAndSync(true));
    if (newRS && replicasOf(newRS) !== spec.replicas) scaleRSAndRecord(newRS, spec.replicas);
    if (deploymentComplete(spec, d.metadata.generation ?? 1, storedStatus)) cleanup(oldRSs);
    return syncRollout(newRS, oldRSs);
  }

  // rolloutRolling
  const { newRS, oldRSs } = allAndSync(true);
  const all = [...oldRSs, newRS!];

  // reconcileNewReplicaSet
  if (newRS) {
    let scaledUp = false;
    if (replicasOf(newRS) > spec.replicas) scaledUp = scaleRSAndRecord(newRS, spec.replicas);
    else if (replicasOf(newRS) < spec.replicas) scaledUp = scaleRSAndRecord(newRS, newRSNewReplicas(spec, all, newRS));
    if (scaledUp) return syncRollout(newRS, oldRSs);
  }

  // reconcileOldReplicaSets
  if (specReplicaCount(oldRSs) > 0) {
    const allPods = specReplicaCount(all);
    const minAvailable = spec.replicas - maxUnavailable(spec);
    const newUnavailable = newRS ? replicasOf(newRS) - (statusOf(newRS).availableReplicas ?? 0) : 0;
    let maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown > 0) {
      // cleanupUnhealthyReplicas
      let cleaned = 0;
      for (const rs of [...oldRSs].sort(byCreation)) {
        if (cleaned >= maxScaledDown) break;
        const reps = replicasOf(rs);
        const avail = statusOf(rs).availableReplicas ?? 0;
        if (reps === 0 || reps === avail) continue;
        const n = Math.min(maxScaledDown - cleaned, reps - avail);
        scaleRSAndRecord(rs, reps - n);
        cleaned += n;
      }
      maxScaledDown -= cleaned;
      // scaleDownOldReplicaSetsForRollingUpdate
      let scaled = 0;
      const availablePods = availableReplicaCount(all);
      if (availablePods > minAvailable) {
        const total = availablePods - minAvailable;
        for (const rs of [...oldRSs].sort(byCreation)) {
          if (scaled >= total) break;
          const reps = replicasOf(rs);
          if (reps === 0) continue;
          const n = Math.min(reps, total - scaled);
          scaleRSAndRecord(rs, reps - n);
          scaled += n;
        }
      }
      if (cleaned + scaled > 0) return syncRollout(newRS, oldRSs);
    }
  }

  if (deploymentComplete(spec, d.metadata.generation ?? 1, storedStatus)) cleanup(oldRSs);
  return syncRollout(newRS, oldRSs);
}
