/** The Deployment controller: owns ReplicaSets and rolls pod templates out through them. */
import { resourceKey, StoreError, type KubeObject, type StoreEvent } from '../store/types.js';
import { keyOf, keysOfList, ownerKeys, type Controller, type ControllerContext } from './context.js';
import { planDeployment } from './deployment-rules.js';
import { deploymentSpec, equalIgnoreHash, type DeploymentStatus } from './deployment-util.js';
import { selectorMatches } from './labels.js';
import { controllerRef, dropOwner, ownerReferenceTo } from './pods.js';
import { objectKey, splitKey } from './queue.js';
import { PODS, REPLICASETS } from './replicaset.js';

export const DEPLOYMENTS = resourceKey('apps', 'deployments');

export function createDeploymentController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const recorder = ctx.recorder('deployment-controller');

  function keysFor(event: StoreEvent): string[] {
    if (event.key === DEPLOYMENTS) return [keyOf(event.object)];
    if (event.key === REPLICASETS) {
      const keys = ownerKeys(event, 'Deployment');
      if (keys.length === 0 && event.type !== 'DELETED') {
        for (const d of store.list(DEPLOYMENTS, { namespace: event.object.metadata.namespace }).items) {
          if (selectorMatches(deploymentSpec(d).selector, event.object.metadata.labels)) keys.push(keyOf(d));
        }
      }
      return keys;
    }
    if (event.key === PODS && event.type === 'DELETED') {
      // Recreate waits for the old pods to be gone.
      const ref = controllerRef(event.object);
      if (ref?.kind !== 'ReplicaSet') return [];
      const rs = store.get(REPLICASETS, event.object.metadata.namespace, ref.name);
      const owner = rs && controllerRef(rs);
      return rs && owner?.kind === 'Deployment' ? [objectKey(rs.metadata.namespace, owner.name)] : [];
    }
    return [];
  }

  /** getReplicaSetsForDeployment: owned ReplicaSets that match, adopting orphans and releasing the rest. */
  function claimReplicaSets(d: KubeObject): KubeObject[] {
    const selector = deploymentSpec(d).selector;
    const owned: KubeObject[] = [];
    // Only read here (planDeployment works on copies; changes go through store.modify): the stored objects.
    for (const rs of store.list(REPLICASETS, { namespace: d.metadata.namespace, readOnly: true }).items) {
      const ref = controllerRef(rs);
      const matches = selectorMatches(selector, rs.metadata.labels);
      if (ref) {
        if (ref.uid !== d.metadata.uid) continue;
        if (matches || d.metadata.deletionTimestamp) owned.push(rs);
        else
          store.modify(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, (cur) => {
            return dropOwner(cur, d.metadata.uid) ? cur : undefined;
          });
        continue;
      }
      if (!matches || d.metadata.deletionTimestamp || rs.metadata.deletionTimestamp) continue;
      const adopted = store.modify(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, (cur) => {
        if (controllerRef(cur)) return undefined;
        cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), ownerReferenceTo(d)];
        return cur;
      });
      if (adopted && controllerRef(adopted)?.uid === d.metadata.uid) owned.push(adopted);
    }
    return owned;
  }

  function sync(key: string): number | undefined {
    const { namespace, name } = splitKey(key);
    const d = store.get(DEPLOYMENTS, namespace, name);
    if (!d) return undefined;
    const replicaSets = claimReplicaSets(d);
    const uids = new Set(replicaSets.map((rs) => rs.metadata.uid));
    const pods =
      deploymentSpec(d).strategy.type === 'Recreate'
        ? store.list(PODS, { namespace }).items.filter((p) => uids.has(controllerRef(p)?.uid))
        : [];
    const plan = planDeployment({ deployment: d, replicaSets, pods, now: clock.now(), speed: clock.speed });
    const mismatch = (cur: KubeObject) => cur.metadata.uid !== d.metadata.uid;
    for (const e of plan.effects) {
      switch (e.type) {
        case 'createReplicaSet':
          try {
            store.create(REPLICASETS, e.replicaSet);
          } catch (err) {
            if (!(err instanceof StoreError) || err.reason !== 'AlreadyExists') throw err;
            const existing = store.get(REPLICASETS, namespace, e.replicaSet.metadata.name!);
            if (existing && controllerRef(existing)?.uid === d.metadata.uid && equalIgnoreHash((existing.spec as any)?.template, (d.spec as any)?.template)) {
              return 0; // ours after all: look again
            }
            // A hash collision: bump collisionCount so that the next name differs.
            store.modify(
              DEPLOYMENTS,
              namespace,
              name,
              (cur) => {
                if (mismatch(cur)) return undefined;
                const st = (cur.status ?? {}) as DeploymentStatus;
                cur.status = { ...st, collisionCount: (st.collisionCount ?? 0) + 1 };
                return cur;
              },
              { subresource: 'status' },
            );
            return 0;
          }
          break;
        case 'updateReplicaSet':
          store.modify(REPLICASETS, namespace, e.name, (cur) => {
            if (e.replicas !== undefined) cur.spec = { ...(cur.spec as object), replicas: e.replicas };
            if (e.minReadySeconds !== undefined) cur.spec = { ...(cur.spec as object), minReadySeconds: e.minReadySeconds };
            cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), ...e.annotations };
            return cur;
          });
          break;
        case 'deleteReplicaSet':
          try {
            store.delete(REPLICASETS, namespace, e.name, { preconditions: { uid: e.uid } });
          } catch (err) {
            if (!(err instanceof StoreError) || (err.reason !== 'NotFound' && err.reason !== 'Conflict')) throw err;
          }
          break;
        case 'annotateDeployment':
          store.modify(DEPLOYMENTS, namespace, name, (cur) => {
            if (mismatch(cur)) return undefined;
            if (Object.entries(e.annotations).every(([k, v]) => cur.metadata.annotations?.[k] === v)) return undefined;
            cur.metadata.annotations = { ...(cur.metadata.annotations ?? {}), ...e.annotations };
            return cur;
          });
          break;
        case 'updateStatus':
          store.modify(
            DEPLOYMENTS,
            namespace,
            name,
            (cur) => {
              if (mismatch(cur)) return undefined;
              // A newer generation appeared meanwhile: the next pass will write a status for it.
              if ((cur.metadata.generation ?? 1) !== (d.metadata.generation ?? 1)) return undefined;
              cur.status = e.status;
              return cur;
            },
            { subresource: 'status' },
          );
          break;
        case 'event':
          recorder.event(d, e.eventType, e.reason, e.message);
          break;
      }
    }
    return plan.requeueAfterMs;
  }

  return { name: 'deployment-controller', keysFor, sync, allKeys: () => keysOfList(store, DEPLOYMENTS) };
}
