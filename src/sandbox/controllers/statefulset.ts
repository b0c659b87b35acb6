/** The StatefulSet controller: ordinal pods, ControllerRevisions, ordered/parallel scaling and partitioned rolling updates. */
import { resourceKey, StoreError, type KubeObject, type StoreEvent } from '../store/types.js';
import { keyOf, keysOfList, ownerKeys, type Controller, type ControllerContext } from './context.js';
import { canonicalJson } from './hash.js';
import { selectorMatches, type LabelSelector } from './labels.js';
import { controllerRef, dropOwner, ownerReferenceTo } from './pods.js';
import { splitKey } from './queue.js';
import { nextAvailabilityCheck } from './replicaset-rules.js';
import { ordinalOf, planStatefulSetPods, resolveRevisions, revisionsToDelete, statefulSetSpec, statefulSetStatus } from './statefulset-rules.js';

export const STATEFULSETS = resourceKey('apps', 'statefulsets');
const REVISIONS = resourceKey('apps', 'controllerrevisions');
const PODS = resourceKey('', 'pods');

export function createStatefulSetController(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const recorder = ctx.recorder('statefulset-controller');

  function keysFor(event: StoreEvent): string[] {
    if (event.key === STATEFULSETS) return [keyOf(event.object)];
    if (event.key !== PODS) return [];
    const keys = ownerKeys(event, 'StatefulSet');
    if (keys.length === 0 && event.type !== 'DELETED') {
      // An orphan pod named like a member of a set whose selector matches may be adopted.
      for (const set of store.list(STATEFULSETS, { namespace: event.object.metadata.namespace }).items) {
        if (belongs(set, event.object)) keys.push(keyOf(set));
      }
    }
    return keys;
  }

  /** The ControllerRefManager's match for StatefulSets: the selector matches and the name is `<set>-<ordinal>`. */
  const belongs = (set: KubeObject, pod: KubeObject) =>
    selectorMatches((set.spec as { selector?: LabelSelector }).selector, pod.metadata.labels) && ordinalOf(set, pod) >= 0;

  /** getPodsForStatefulSet: owned pods that still belong; adopts matching orphans, releases the rest. */
  function claimPods(set: KubeObject): KubeObject[] {
    const out: KubeObject[] = [];
    for (const pod of store.list(PODS, { namespace: set.metadata.namespace }).items) {
      const ref = controllerRef(pod);
      if (ref) {
        if (ref.uid !== set.metadata.uid) continue;
        if (belongs(set, pod) || set.metadata.deletionTimestamp) out.push(pod);
        else if (!pod.metadata.deletionTimestamp)
          store.modify(PODS, pod.metadata.namespace, pod.metadata.name!, (cur) => {
            return dropOwner(cur, set.metadata.uid) ? cur : undefined;
          });
        continue;
      }
      if (set.metadata.deletionTimestamp || pod.metadata.deletionTimestamp || !belongs(set, pod)) continue;
      const adopted = store.modify(PODS, pod.metadata.namespace, pod.metadata.name!, (cur) => {
        if (controllerRef(cur)) return undefined;
        cur.metadata.ownerReferences = [...(cur.metadata.ownerReferences ?? []), ownerReferenceTo(set)];
        return cur;
      });
      if (adopted && controllerRef(adopted)?.uid === set.metadata.uid) out.push(adopted);
    }
    return out;
  }

  const owned = (key: string, set: KubeObject) =>
    store.list(key, { namespace: set.metadata.namespace }).items.filter((o) => controllerRef(o)?.uid === set.metadata.uid);

  function sync(key: string): number | undefined {
    const { namespace, name } = splitKey(key);
    const set = store.get(STATEFULSETS, namespace, name);
    if (!set) return undefined;
    const now = clock.now();
    const revisionList = owned(REVISIONS, set);
    const revisions = resolveRevisions(set, revisionList);
    if (revisions.op?.type === 'create') {
      try {
        store.create(REVISIONS, revisions.op.revision);
      } catch (err) {
        if (!(err instanceof StoreError) || err.reason !== 'AlreadyExists') throw err;
        const existing = store.get(REVISIONS, namespace, revisions.op.revision.metadata.name!);
        if (!existing || canonicalJson(existing.data) !== canonicalJson(revisions.op.revision.data) || controllerRef(existing)?.uid !== set.metadata.uid) {
          store.modify(
            STATEFULSETS,
            namespace,
            name,
            (cur) => {
              const st = (cur.status ?? {}) as { collisionCount?: number };
              cur.status = { ...st, collisionCount: (st.collisionCount ?? 0) + 1 };
              return cur;
            },
            { subresource: 'status' },
          );
        }
        return 0;
      }
    } else if (revisions.op?.type === 'bump') {
      const op = revisions.op;
      store.modify(REVISIONS, namespace, op.name, (cur) => ({ ...cur, revision: op.revision }));
    }

    const pods = claimPods(set);
    const plan = planStatefulSetPods(set, revisions, pods, now, clock.speed);
    for (const action of plan.actions) {
      const podName = action.pod.metadata.name!;
      if (action.type === 'create') {
        try {
          store.create(PODS, action.pod);
          recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${name} successful`);
        } catch (err) {
          recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${podName} in StatefulSet ${name} failed error: ${(err as Error).message}`);
          if (err instanceof StoreError && err.reason === 'AlreadyExists') break; // a pod not ours holds the name: look again later
          throw err;
        }
      } else {
        try {
          store.delete(PODS, namespace, podName, { preconditions: { uid: action.pod.metadata.uid } });
          recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${podName} in StatefulSet ${name} successful`);
        } catch (err) {
          if (!(err instanceof StoreError) || (err.reason !== 'NotFound' && err.reason !== 'Conflict')) throw err;
          break;
        }
      }
    }

    const after = owned(PODS, set);
    const status = statefulSetStatus(set, revisions, after, now, clock.speed);
    store.modify(
      STATEFULSETS,
      namespace,
      name,
      (cur) => {
        if (cur.metadata.uid !== set.metadata.uid) return undefined;
        const next = status; // the whole status: zero counters are omitted, not merged
        if (canonicalJson(next) === canonicalJson(cur.status ?? {})) return undefined;
        cur.status = next;
        return cur;
      },
      { subresource: 'status' },
    );

    for (const old of revisionsToDelete(set, owned(REVISIONS, set), after, revisions.current, revisions.update)) {
      try {
        store.delete(REVISIONS, namespace, old.metadata.name!, { preconditions: { uid: old.metadata.uid } });
      } catch (err) {
        if (!(err instanceof StoreError) || (err.reason !== 'NotFound' && err.reason !== 'Conflict')) throw err;
      }
    }
    const minReady = statefulSetSpec(set).minReadySeconds;
    return minReady > 0 ? nextAvailabilityCheck(after, minReady, now, clock.speed) : undefined;
  }

  return { name: 'statefulset-controller', keysFor, sync, allKeys: () => keysOfList(store, STATEFULSETS) };
}
