/**
 * The ReplicaSet controller: keeps the number of a ReplicaSet's pods at spec.replicas. The
 * ReplicationController manager is the same controller over ReplicationControllers (Kubernetes
 * runs pkg/controller/replicaset for both), whose set-based selector is a plain label map.
 */
import { resourceKey, type KubeObject, type StoreEvent } from '../store/types.js';
import { keyOf, keysOfList, ownerKeys, type Controller, type ControllerContext } from './context.js';
import { selectorMatches } from './labels.js';
import { controllerRef, dropOwner, isPodActive, ownerReferenceTo } from './pods.js';
import { splitKey } from './queue.js';
import { canonicalJson } from './hash.js';
import { nextAvailabilityCheck, planReplicaSet, podFromTemplate, replicaSetStatus, rsSpec } from './replicaset-rules.js';

export const REPLICASETS = resourceKey('apps', 'replicasets');
export const PODS = resourceKey('', 'pods');
export const REPLICATIONCONTROLLERS = resourceKey('', 'replicationcontrollers');

interface Variant {
  key: typeof REPLICASETS;
  kind: string;
  component: string;
  /** The object as a ReplicaSet (a ReplicationController's map selector as matchLabels). */
  view(o: KubeObject): KubeObject;
}

const REPLICASET: Variant = { key: REPLICASETS, kind: 'ReplicaSet', component: 'replicaset-controller', view: (o) => o };

export const REPLICATION_CONTROLLER: Variant = {
  key: REPLICATIONCONTROLLERS,
  kind: 'ReplicationController',
  component: 'replication-controller',
  view: (rc) => {
    const spec = (rc.spec ?? {}) as Record<string, unknown>;
    const selector = spec.selector as Record<string, string> | undefined;
    // An RC with an empty selector selects nothing (the API server defaults it to the template's labels).
    return { ...rc, spec: { ...spec, selector: selector && Object.keys(selector).length ? { matchLabels: selector } : { matchLabels: { '\u0000none': '' } } } };
  },
};

export function createReplicaSetController(ctx: ControllerContext, variant: Variant = REPLICASET): Controller {
  const { store, clock } = ctx;
  const recorder = ctx.recorder(variant.component);
  const REPLICASETS = variant.key;

  function keysFor(event: StoreEvent): string[] {
    if (event.key === REPLICASETS) return [keyOf(event.object)];
    if (event.key !== PODS) return [];
    const keys = ownerKeys(event, variant.kind);
    if (keys.length === 0 && event.type !== 'DELETED') {
      // An orphan pod: a ReplicaSet whose selector matches may adopt it.
      for (const rs of store.list(REPLICASETS, { namespace: event.object.metadata.namespace, readOnly: true }).items.map(variant.view)) {
        if (selectorMatches(rsSpec(rs).selector, event.object.metadata.labels)) keys.push(keyOf(rs));
      }
    }
    return keys;
  }

  function sync(key: string): number | undefined {
    const { namespace, name } = splitKey(key);
    const stored = store.get(REPLICASETS, namespace, name);
    if (!stored) return undefined;
    const rs = variant.view(stored);
    const now = clock.now();
    const selector = rsSpec(rs).selector;
    const all = store.list(PODS, { namespace, readOnly: true }).items;
    const owned: KubeObject[] = [];
    for (const pod of all) {
      const ref = controllerRef(pod);
      if (ref) {
        if (ref.uid !== rs.metadata.uid) continue;
        if (selectorMatches(selector, pod.metadata.labels) || rs.metadata.deletionTimestamp) owned.push(pod);
        else if (!pod.metadata.deletionTimestamp) release(pod, rs);
        continue;
      }
      // Adopt orphans that match, unless either side is being deleted.
      if (rs.metadata.deletionTimestamp || pod.metadata.deletionTimestamp || !isPodActive(pod)) continue;
      if (!selectorMatches(selector, pod.metadata.labels)) continue;
      const adopted = store.modify(PODS, namespace, pod.metadata.name!, (p) => {
        if (controllerRef(p)) return undefined;
        p.metadata.ownerReferences = [...(p.metadata.ownerReferences ?? []), ownerReferenceTo(rs)];
        return p;
      });
      if (adopted && controllerRef(adopted)?.uid === rs.metadata.uid) owned.push(adopted);
    }
    let activePods = owned.filter(isPodActive);
    let manageError: string | undefined;

    if (!rs.metadata.deletionTimestamp) {
      // Pods of every ReplicaSet of the same owner, for the "doubled up on a node" rank.
      const ownerUid = controllerRef(rs)?.uid;
      const siblingUids = new Set(
        ownerUid
          ? store
              .list(REPLICASETS, { namespace, readOnly: true })
              .items.filter((r) => controllerRef(r)?.uid === ownerUid)
              .map((r) => r.metadata.uid)
          : [rs.metadata.uid],
      );
      const related = all.filter((p) => siblingUids.has(controllerRef(p)?.uid));
      const plan = planReplicaSet(rs, activePods, related, now);
      for (let i = 0; i < plan.create; i++) {
        try {
          const pod = store.create(PODS, podFromTemplate(rs));
          recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
          activePods.push(pod);
        } catch (err) {
          // controller.PodControl.CreatePods: a Warning event, and ReplicaFailure on the status.
          manageError = (err as Error).message;
          recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${manageError}`);
          break;
        }
      }
      for (const pod of plan.delete) {
        try {
          store.delete(PODS, namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
          recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          if ((err as { reason?: string }).reason !== 'NotFound') throw err;
        }
      }
      if (plan.delete.length) {
        const gone = new Set(plan.delete.map((p) => p.metadata.uid));
        activePods = activePods.filter((p) => !gone.has(p.metadata.uid));
      }
    }

    const status = replicaSetStatus(rs, activePods, now, clock.speed, manageError);
    store.modify(
      REPLICASETS,
      namespace,
      name,
      (cur) => {
        if (cur.metadata.uid !== rs.metadata.uid) return undefined;
        const next = status; // the whole status: zero counters are omitted, not merged
        if (canonicalJson(next) === canonicalJson(cur.status ?? {})) return undefined;
        cur.status = next;
        return cur;
      },
      { subresource: 'status' },
    );
    if (manageError !== undefined) return 1_000; // try again (the work queue's back-off, simplified)
    const minReady = rsSpec(rs).minReadySeconds ?? 0;
    return minReady > 0 ? nextAvailabilityCheck(activePods, minReady, now, clock.speed) : undefined;
  }

  function release(pod: KubeObject, rs: KubeObject) {
    store.modify(PODS, pod.metadata.namespace, pod.metadata.name!, (p) => {
      return dropOwner(p, rs.metadata.uid) ? p : undefined;
    });
  }

  return { name: variant.component, keysFor, sync, allKeys: () => keysOfList(store, REPLICASETS) };
}
