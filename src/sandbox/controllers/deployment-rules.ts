/**
 * The Deployment controller's decisions (pkg/controller/deployment: sync.go, rolling.go,
 * recreate.go, progress.go and util/deployment_util.go), as pure functions. `planDeployment` runs
 * one syncDeployment pass over in-memory copies and returns the writes it would make, in order.
 */
import type { KubeObject } from '../store/types.js';
import { canonicalJson } from './hash.js';
import { selectorIsEmpty } from './labels.js';
import { clone, isPodTerminal, ownerReferenceTo } from './pods.js';
import {
  active,
  availableReplicaCount,
  byCreation,
  DESIRED_REPLICAS,
  deploymentSpec,
  findNewReplicaSet,
  MAX_REPLICAS,
  maxSurge,
  maxUnavailable,
  newRSNewReplicas,
  POD_TEMPLATE_HASH,
  podTemplateHash,
  proportionalSizes,
  replicasOf,
  REVISION,
  REVISION_HISTORY,
  revisionOf,
  setReplicas,
  SKIP_ANNOTATIONS,
  specReplicaCount,
  statusOf,
  type DeploymentStatus,
  type RS,
} from './deployment-util.js';
import { addInt64, compareRevisions, maxRevision, parseInt64 } from './revision.js';
import { calculateStatus, deploymentComplete, getCondition, newCondition, rolloutStatus, setCondition, stuckRequeueAfter, rfc3339 } from './deployment-status.js';

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
    const newRevision = addInt64(maxRevision(oldRSs.map(revisionOf)), 1n).toString();
    if (existing) {
      const changed: Record<string, string> = {};
      const a = (existing.metadata.annotations ??= {});
      for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
        if (SKIP_ANNOTATIONS.has(k) || a[k] === v) continue;
        a[k] = v;
        changed[k] = v;
      }
      const oldRev = a[REVISION];
      // SetNewReplicaSetAnnotations: an empty revision counts as 0, an unparsable one is left alone.
      const oldRevInt = oldRev === undefined || oldRev === '' ? 0n : parseInt64(oldRev);
      if (oldRevInt !== undefined && oldRevInt < BigInt(newRevision)) {
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
    cleanable.sort((a, b) => compareRevisions(revisionOf(a), revisionOf(b)) || byCreation(a, b));
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
