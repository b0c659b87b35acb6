/**
 * The scheduler's cache (pkg/scheduler/backend/cache): the bound, non-terminal pods of each node,
 * kept from store events, with each node's summed requests, so that placing a pod costs the number
 * of nodes, not the number of pods in the cluster.
 */
import type { KubeObject } from '../store/types.js';
import { isPodTerminal } from './pods.js';
import { nonZeroRequests, podRequests, type NodeInfo, type Resources } from './scheduler-rules.js';

interface Bound {
  node: string;
  requests: Resources;
  nonZero: { cpu: number; memory: number };
}

interface NodeEntry {
  pods: Map<string, KubeObject>;
  /** Derived from `pods`; dropped whenever they change. */
  derived?: { pods: KubeObject[]; index: Map<string, number>; requested: Resources; nonZeroRequested: { cpu: number; memory: number } };
}

export interface SchedulerCache {
  /** Records the pod's latest state (`gone`: deleted). */
  track(key: string, pod: KubeObject, gone: boolean): void;
  /** NodeInfo for each node, in the order given. */
  infos(nodes: readonly KubeObject[]): NodeInfo[];
}

const sameResources = (a: Resources, b: Resources) => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};
const sameRequests = (a: Bound, b: Bound) => a.nonZero.cpu === b.nonZero.cpu && a.nonZero.memory === b.nonZero.memory && sameResources(a.requests, b.requests);

const nodeNameOf = (pod: KubeObject) => (pod.spec as { nodeName?: string } | undefined)?.nodeName;

export function createSchedulerCache(): SchedulerCache {
  const bound = new Map<string, Bound>();
  const byNode = new Map<string, NodeEntry>();

  const derive = (entry: NodeEntry) => {
    if (entry.derived) return entry.derived;
    const requested: Resources = {};
    const nonZeroRequested = { cpu: 0, memory: 0 };
    for (const key of entry.pods.keys()) {
      const b = bound.get(key)!;
      for (const [r, v] of Object.entries(b.requests)) requested[r] = (requested[r] ?? 0) + v;
      nonZeroRequested.cpu += b.nonZero.cpu;
      nonZeroRequested.memory += b.nonZero.memory;
    }
    const index = new Map<string, number>();
    let i = 0;
    for (const key of entry.pods.keys()) index.set(key, i++);
    return (entry.derived = { pods: [...entry.pods.values()], index, requested, nonZeroRequested });
  };

  return {
    track(key, pod, gone) {
      const node = nodeNameOf(pod);
      const was = bound.get(key);
      if (was && (gone || was.node !== node || !node || isPodTerminal(pod))) {
        const entry = byNode.get(was.node)!;
        entry.pods.delete(key);
        entry.derived = undefined;
        if (entry.pods.size === 0) byNode.delete(was.node);
        bound.delete(key);
      }
      if (gone || !node || isPodTerminal(pod)) return;
      const next: Bound = { node, requests: podRequests(pod), nonZero: nonZeroRequests(pod) };
      const still = bound.get(key);
      bound.set(key, next);
      let entry = byNode.get(node);
      if (!entry) byNode.set(node, (entry = { pods: new Map() }));
      entry.pods.set(key, pod);
      // A pod that stays on its node with the same requests (a status change): its place in the
      // derived list takes the new state, the sums stand.
      const at = still && entry.derived?.index.get(key);
      if (at !== undefined && sameRequests(still!, next)) entry.derived!.pods[at] = pod;
      else entry.derived = undefined;
    },
    infos(nodes) {
      return nodes.map((node) => {
        const entry = byNode.get(node.metadata.name!);
        if (!entry) return { node, pods: [], requested: {}, nonZeroRequested: { cpu: 0, memory: 0 } };
        const d = derive(entry);
        // The pods list is shared until the node's pods change (the scheduler's rules only read it).
        return { node, pods: d.pods, requested: { ...d.requested }, nonZeroRequested: { ...d.nonZeroRequested } };
      });
    },
  };
}
