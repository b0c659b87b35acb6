/**
 * The default scheduler's decisions (pkg/scheduler: filter plugins NodeUnschedulable, NodeName,
 * TaintToleration, NodeAffinity, NodeResourcesFit and InterPodAffinity (required terms); score plugins NodeResourcesFit
 * LeastAllocated and NodeResourcesBalancedAllocation), as pure functions.
 */
import type { KubeObject } from '../store/types.js';
import { isPodTerminal } from './pods.js';
import { milliValue, parseQuantity } from './quantity.js';
import { selectorMatches, type LabelSelector } from './labels.js';

export type Resources = Record<string, number>; // cpu in millicores, everything else in base units

interface Container {
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
}
interface Taint {
  key: string;
  value?: string;
  effect: string;
}
interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}
interface NodeSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}
interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  namespaces?: string[];
  topologyKey: string;
}
interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  containers?: Container[];
  initContainers?: Container[];
  overhead?: Record<string, string | number>;
  affinity?: {
    nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
    podAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] };
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[] };
  };
}

const quantity = (resource: string, v: string | number | undefined): number => (resource === 'cpu' ? milliValue(v) : parseQuantity(v));

function containerRequests(c: Container): Resources {
  const out: Resources = {};
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  for (const r of new Set([...Object.keys(req), ...Object.keys(lim)])) out[r] = quantity(r, req[r] ?? lim[r]);
  return out;
}

/** computePodResourceRequest: max(sum of containers, each init container) + overhead. */
export function podRequests(pod: KubeObject): Resources {
  const spec = (pod.spec ?? {}) as PodSpec;
  const total: Resources = {};
  for (const c of spec.containers ?? []) for (const [r, v] of Object.entries(containerRequests(c))) total[r] = (total[r] ?? 0) + v;
  for (const c of spec.initContainers ?? []) for (const [r, v] of Object.entries(containerRequests(c))) total[r] = Math.max(total[r] ?? 0, v);
  for (const [r, v] of Object.entries(spec.overhead ?? {})) total[r] = (total[r] ?? 0) + quantity(r, v);
  return total;
}

/** Requests as scored: pods without cpu/memory requests count as 100m / 200Mi (GetNonzeroRequests). */
export function nonZeroRequests(pod: KubeObject): { cpu: number; memory: number } {
  const r = podRequests(pod);
  return { cpu: r.cpu || 100, memory: r.memory || 200 * 1024 * 1024 };
}

export interface NodeInfo {
  node: KubeObject;
  /** Non-terminal pods bound to the node. */
  pods: KubeObject[];
  /** The sum of the pods' podRequests, when the caller keeps it (the scheduler's cache); else summed from `pods`. */
  requested?: Resources;
  /** The sum of the pods' nonZeroRequests, likewise. */
  nonZeroRequested?: { cpu: number; memory: number };
}

/** The sum of the pods' requests (what NodeInfo.Requested holds in the scheduler's cache). */
export function requestedBy(pods: readonly KubeObject[]): Resources {
  const used: Resources = {};
  for (const p of pods) for (const [r, v] of Object.entries(podRequests(p))) used[r] = (used[r] ?? 0) + v;
  return used;
}

/** The sum of the pods' nonZeroRequests (NodeInfo.NonZeroRequested). */
export function nonZeroRequestedBy(pods: readonly KubeObject[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const p of pods) {
    const r = nonZeroRequests(p);
    cpu += r.cpu;
    memory += r.memory;
  }
  return { cpu, memory };
}

export function nodeAllocatable(node: KubeObject): Resources {
  const status = (node.status ?? {}) as { allocatable?: Record<string, string>; capacity?: Record<string, string> };
  const a = status.allocatable ?? status.capacity ?? {};
  const out: Resources = {};
  for (const [r, v] of Object.entries(a)) out[r] = quantity(r, v);
  return out;
}

function nodeReadyStatus(node: KubeObject): string | undefined {
  const conds = ((node.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []);
  return conds.find((c) => c.type === 'Ready')?.status;
}

/** The node's taints, plus the ones the node lifecycle controller would add for a node that is not Ready. */
export function effectiveTaints(node: KubeObject): Taint[] {
  const taints = [...(((node.spec as { taints?: Taint[] } | undefined)?.taints) ?? [])];
  const ready = nodeReadyStatus(node);
  const add = (key: string) => {
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  };
  if (ready === 'False') add('node.kubernetes.io/not-ready');
  else if (ready !== 'True') add('node.kubernetes.io/unreachable');
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) add('node.kubernetes.io/unschedulable');
  return taints;
}

export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  if (!t.key && op !== 'Exists') return false;
  return (t.value ?? '') === (taint.value ?? '');
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(values[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

export function matchesNodeAffinity(pod: KubeObject, node: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as PodSpec;
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((term) => {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((e) => requirementMatches(e, labels[e.key])) &&
      fields.every((f) => requirementMatches(f, f.key === 'metadata.name' ? node.metadata.name : undefined))
    );
  });
}

/** Why the pod cannot go onto this node (the filter plugins' reasons), or [] when it fits. */
export function filterNode(pod: KubeObject, info: NodeInfo): string[] {
  const spec = (pod.spec ?? {}) as PodSpec;
  const node = info.node;
  const tolerations = spec.tolerations ?? [];
  // NodeUnschedulable
  if ((node.spec as { unschedulable?: boolean } | undefined)?.unschedulable) {
    const taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
    if (!tolerations.some((t) => toleratesTaint(t, taint))) return ['node(s) were unschedulable'];
  }
  // TaintToleration
  for (const taint of effectiveTaints(node)) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (taint.key === 'node.kubernetes.io/unschedulable') continue;
    if (!tolerations.some((t) => toleratesTaint(t, taint))) return [`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`];
  }
  // NodeAffinity
  if (!matchesNodeAffinity(pod, node)) return ["node(s) didn't match Pod's node affinity/selector"];
  // NodeResourcesFit
  const alloc = nodeAllocatable(node);
  const reasons: string[] = [];
  const maxPods = alloc.pods ?? 110;
  if (info.pods.length + 1 > maxPods) reasons.push('Too many pods');
  const want = podRequests(pod);
  const used = info.requested ?? requestedBy(info.pods);
  for (const r of ['cpu', 'memory', 'ephemeral-storage', ...Object.keys(want).filter((k) => !['cpu', 'memory', 'ephemeral-storage'].includes(k))]) {
    const w = want[r] ?? 0;
    if (w <= 0) continue;
    if (w > (alloc[r] ?? 0) - (used[r] ?? 0)) reasons.push(`Insufficient ${r}`);
  }
  return reasons;
}

/** LeastAllocated + BalancedAllocation over cpu and memory, each 0..100. */
export function scoreNode(pod: KubeObject, info: NodeInfo): number {
  const alloc = nodeAllocatable(info.node);
  const req = nonZeroRequests(pod);
  const existing = info.nonZeroRequested ?? nonZeroRequestedBy(info.pods);
  const cpu = existing.cpu + req.cpu;
  const memory = existing.memory + req.memory;
  const least = (requested: number, capacity: number) => (capacity > 0 && requested <= capacity ? ((capacity - requested) * 100) / capacity : 0);
  const leastScore = (least(cpu, alloc.cpu ?? 0) + least(memory, alloc.memory ?? 0)) / 2;
  const cf = alloc.cpu ? Math.min(1, cpu / alloc.cpu) : 1;
  const mf = alloc.memory ? Math.min(1, memory / alloc.memory) : 1;
  const balanced = (1 - Math.abs(cf - mf) / 2) * 100;
  return Math.floor(leastScore) + Math.floor(balanced);
}

// ---- InterPodAffinity (required terms only) ---------------------------------------------------

const termsOf = (pod: KubeObject, kind: 'podAffinity' | 'podAntiAffinity'): PodAffinityTerm[] =>
  ((pod.spec as PodSpec | undefined)?.affinity?.[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []).filter((t) => t.topologyKey);

/** Whether `target` is selected by a term written in `owner`'s pod spec. */
function termSelects(term: PodAffinityTerm, owner: KubeObject, target: KubeObject): boolean {
  const namespaces = term.namespaces?.length ? term.namespaces : [owner.metadata.namespace];
  return namespaces.includes(target.metadata.namespace) && selectorMatches(term.labelSelector, target.metadata.labels);
}

/** Bound pods that carry required anti-affinity terms (usually none), with their nodes. */
export function podsWithAntiAffinity(all: NodeInfo[]): { info: NodeInfo; pod: KubeObject; terms: PodAffinityTerm[] }[] {
  const out: { info: NodeInfo; pod: KubeObject; terms: PodAffinityTerm[] }[] = [];
  for (const info of all) for (const p of info.pods) {
    const terms = termsOf(p, 'podAntiAffinity');
    if (terms.length) out.push({ info, pod: p, terms });
  }
  return out;
}

/** The InterPodAffinity filter's reason for this node, if any. */
export function interPodAffinityReason(pod: KubeObject, info: NodeInfo, all: NodeInfo[], existingAnti = podsWithAntiAffinity(all)): string | undefined {
  const labels = info.node.metadata.labels ?? {};
  const sameDomain = (other: NodeInfo, key: string) => labels[key] !== undefined && other.node.metadata.labels?.[key] === labels[key];
  // Existing pods whose anti-affinity rules the incoming pod would break.
  for (const { info: other, pod: existing, terms } of existingAnti) {
    for (const term of terms) {
      if (termSelects(term, existing, pod) && sameDomain(other, term.topologyKey)) return "node(s) didn't satisfy existing pods anti-affinity rules";
    }
  }
  for (const term of termsOf(pod, 'podAffinity')) {
    const anyMatch = all.some((o) => o.pods.some((p) => termSelects(term, pod, p)));
    const here = all.some((o) => sameDomain(o, term.topologyKey) && o.pods.some((p) => termSelects(term, pod, p)));
    // The first pod of a group may go anywhere its own term selects it (and the node has the key).
    const selfOk = !anyMatch && termSelects(term, pod, pod) && labels[term.topologyKey] !== undefined;
    if (!here && !selfOk) return "node(s) didn't match pod affinity rules";
  }
  for (const term of termsOf(pod, 'podAntiAffinity')) {
    if (all.some((o) => sameDomain(o, term.topologyKey) && o.pods.some((p) => termSelects(term, pod, p)))) return "node(s) didn't match pod anti-affinity rules";
  }
  return undefined;
}

export type ScheduleResult = { node: string } | { reasons: Map<string, number>; message: string };

/** The FailedScheduling message: `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) ….` */
export function unschedulableMessage(nodeCount: number, reasons: Map<string, number>): string {
  if (nodeCount === 0) return 'no nodes available to schedule pods';
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${nodeCount} nodes are available: ${parts.join(', ')}.`;
}

/** Filters, scores and picks a node (highest score; ties → fewer pods, then name). */
export function schedulePod(pod: KubeObject, nodes: NodeInfo[]): ScheduleResult {
  const reasons = new Map<string, number>();
  let best: { name: string; score: number; pods: number } | undefined;
  const wanted = (pod.spec as PodSpec | undefined)?.nodeName;
  const existingAnti = podsWithAntiAffinity(nodes);
  const needsAffinity = existingAnti.length > 0 || termsOf(pod, 'podAffinity').length > 0 || termsOf(pod, 'podAntiAffinity').length > 0;
  for (const info of nodes) {
    const name = info.node.metadata.name!;
    let why = wanted && wanted !== name ? ["node(s) didn't match the requested node name"] : filterNode(pod, info);
    if (why.length === 0 && needsAffinity) {
      const affinity = interPodAffinityReason(pod, info, nodes, existingAnti);
      if (affinity) why = [affinity];
    }
    if (why.length) {
      for (const r of why) reasons.set(r, (reasons.get(r) ?? 0) + 1);
      continue;
    }
    const score = scoreNode(pod, info);
    const candidate = { name, score, pods: info.pods.length };
    if (
      !best ||
      candidate.score > best.score ||
      (candidate.score === best.score && (candidate.pods < best.pods || (candidate.pods === best.pods && candidate.name < best.name)))
    )
      best = candidate;
  }
  if (best) return { node: best.name };
  return { reasons, message: unschedulableMessage(nodes.length, reasons) };
}

/** Groups the non-terminal bound pods by node. */
export function nodeInfos(nodes: KubeObject[], pods: KubeObject[]): NodeInfo[] {
  const byNode = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const n = (p.spec as PodSpec | undefined)?.nodeName;
    if (!n || isPodTerminal(p)) continue;
    (byNode.get(n) ?? byNode.set(n, []).get(n)!).push(p);
  }
  return nodes.map((node) => ({ node, pods: byNode.get(node.metadata.name!) ?? [] }));
}
