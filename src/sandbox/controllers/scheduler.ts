/** The scheduler: binds pending pods to nodes, or records why it cannot (FailedScheduling). */
import { resourceKey, type KubeObject, type StoreEvent } from '../store/types.js';
import { keyOf, type Controller, type ControllerContext } from './context.js';
import { canonicalJson } from './hash.js';
import { isPodTerminal } from './pods.js';
import { splitKey } from './queue.js';
import { createSchedulerCache } from './scheduler-cache.js';
import { schedulePod } from './scheduler-rules.js';

const PODS = resourceKey('', 'pods');
const NODES = resourceKey('', 'nodes');
export const SCHEDULER_NAME = 'default-scheduler';

const nodeNameOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName;

/** A pod this scheduler should place. */
export function needsScheduling(pod: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as { nodeName?: string; schedulerName?: string };
  return !spec.nodeName && (spec.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME && !pod.metadata.deletionTimestamp && !isPodTerminal(pod);
}

/** Node fields that can make an unschedulable pod fit (NodeAdd / NodeUpdate cluster events). */
const schedulingView = (node: KubeObject) =>
  canonicalJson({
    labels: node.metadata.labels,
    spec: node.spec,
    allocatable: (node.status as { allocatable?: unknown } | undefined)?.allocatable,
    ready: ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []).find((c) => c.type === 'Ready')?.status,
  });

const podView = (pod: KubeObject) => canonicalJson({ spec: pod.spec, labels: pod.metadata.labels, annotations: pod.metadata.annotations });

export function createScheduler(ctx: ControllerContext): Controller {
  const { store, clock } = ctx;
  const recorder = ctx.recorder(SCHEDULER_NAME);

  /** pods/binding: the store's bind when it has one (the sandbox store does), else update + status. */
  function bind(pod: KubeObject, node: string, now: string) {
    const withBind = store as typeof store & { bind?: (namespace: string, name: string, nodeName: string) => KubeObject };
    if (typeof withBind.bind === 'function') {
      const bound = withBind.bind(pod.metadata.namespace!, pod.metadata.name!, node);
      // Binding replaces the PodScheduled condition (podutil.UpdatePodCondition): no Unschedulable reason left behind.
      const cond = ((bound.status as { conditions?: Record<string, unknown>[] } | undefined)?.conditions ?? []).find((c) => c.type === 'PodScheduled');
      if (cond && (cond.reason !== undefined || cond.message !== undefined)) {
        store.modify(
          PODS,
          pod.metadata.namespace,
          pod.metadata.name!,
          (cur) => {
            const status = (cur.status ?? {}) as { conditions?: Record<string, unknown>[] };
            status.conditions = (status.conditions ?? []).map((c) =>
              c.type === 'PodScheduled' ? { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: c.lastTransitionTime } : c,
            );
            cur.status = status;
            return cur;
          },
          { subresource: 'status' },
        );
      }
      return;
    }
    store.update(PODS, { ...pod, spec: { ...(pod.spec as object), nodeName: node } });
    store.modify(
      PODS,
      pod.metadata.namespace,
      pod.metadata.name!,
      (cur) => {
        const status = (cur.status ?? {}) as { conditions?: { type: string }[] };
        const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now } as { type: string });
        cur.status = { ...status, conditions };
        return cur;
      },
      { subresource: 'status' },
    );
  }

  /** The scheduler cache: bound, non-terminal pods by key, kept from store events (no full list per pod). */
  const bound = createSchedulerCache();
  const track = (pod: KubeObject, gone: boolean) => bound.track(keyOf(pod), pod, gone);
  for (const pod of store.list(PODS).items) track(pod, false);
  /** Pods waiting for a node, tracked the same way. */
  const pending = new Map<string, KubeObject>(store.list(PODS).items.filter(needsScheduling).map((p) => [keyOf(p), p]));
  const pendingKeys = () => [...pending.keys()];
  /** Pending pods with required pod affinity: a newly bound pod may be what they wait for (AssignedPodAdd). */
  const waitingForPeers = () =>
    [...pending].filter(([, p]) => ((p.spec as { affinity?: { podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: unknown[] } } }).affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0).map(([k]) => k);

  function keysFor(event: StoreEvent): string[] {
    if (event.key === PODS) {
      const pod = event.object;
      track(pod, event.type === 'DELETED');
      if (event.type !== 'DELETED' && needsScheduling(pod)) pending.set(keyOf(pod), pod);
      else pending.delete(keyOf(pod));
      if (event.type !== 'DELETED' && needsScheduling(pod)) {
        // Our own status write (PodScheduled False) is no reason to try again: only real pod changes are.
        if (event.old && needsScheduling(event.old) && podView(event.old) === podView(pod)) return [];
        return [keyOf(pod)];
      }
      // A bound pod freeing its resources may let unschedulable pods fit.
      const freed =
        nodeNameOf(pod) &&
        (event.type === 'DELETED' || (event.old && !isPodTerminal(event.old) && isPodTerminal(pod)) || (event.old && !event.old.metadata.deletionTimestamp && pod.metadata.deletionTimestamp));
      if (freed) return pendingKeys();
      const newlyBound = event.type !== 'DELETED' && nodeNameOf(pod) && !(event.old && nodeNameOf(event.old));
      return newlyBound ? waitingForPeers() : [];
    }
    if (event.key === NODES) {
      if (event.type === 'DELETED') return [];
      if (event.old && schedulingView(event.old) === schedulingView(event.object)) return [];
      return pendingKeys();
    }
    return [];
  }

  function sync(key: string): undefined {
    const { namespace, name } = splitKey(key);
    const pod = store.get(PODS, namespace, name);
    if (!pod || !needsScheduling(pod)) return undefined;
    // The rules only read the nodes: the stored objects, not copies (a node's status is large).
    const nodes = store.list(NODES, { readOnly: true }).items;
    const result = schedulePod(pod, bound.infos(nodes));
    const now = clock.now().toISOString().replace(/\.\d+Z$/, 'Z');
    if ('node' in result) {
      bind(pod, result.node, now);
      recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${result.node}`);
      return undefined;
    }
    store.modify(
      PODS,
      namespace,
      name,
      (cur) => {
        if (cur.metadata.uid !== pod.metadata.uid || nodeNameOf(cur)) return undefined;
        const status = (cur.status ?? {}) as { conditions?: Record<string, unknown>[] };
        const existing = (status.conditions ?? []).find((c) => c.type === 'PodScheduled');
        if (existing?.status === 'False' && existing.reason === 'Unschedulable' && existing.message === result.message) return undefined;
        const conditions = (status.conditions ?? []).filter((c) => c.type !== 'PodScheduled');
        conditions.push({
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: existing?.status === 'False' ? existing.lastTransitionTime : now,
          reason: 'Unschedulable',
          message: result.message,
        });
        cur.status = { ...status, conditions };
        return cur;
      },
      { subresource: 'status' },
    );
    recorder.event(pod, 'Warning', 'FailedScheduling', result.message);
    return undefined;
  }

  return { name: SCHEDULER_NAME, keysFor, sync, allKeys: pendingKeys };
}
