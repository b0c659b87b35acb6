/**
 * A deployment's status and conditions (sync.go calculateStatus, progress.go syncRolloutStatus and
 * requeueStuckDeployment), as pure functions.
 */
import type { KubeObject } from '../store/types.js';
import { clone, omitZero, simElapsedMs } from './pods.js';
import {
  actualReplicaCount,
  availableReplicaCount,
  deploymentSpec,
  maxUnavailable,
  readyReplicaCount,
  specReplicaCount,
  type DeploymentCondition,
  type DeploymentSpec,
  type DeploymentStatus,
  type RS,
} from './deployment-util.js';

export function rfc3339(t: Date): string {
  return t.toISOString().replace(/\.\d+Z$/, 'Z');
}

export function getCondition(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, now: Date): DeploymentCondition {
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

export function removeCondition(status: DeploymentStatus, type: string): void {
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
