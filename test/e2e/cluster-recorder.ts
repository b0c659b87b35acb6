/**
 * Records, from the test process, what a namespace's workloads and pods went through: every value
 * of each Deployment's / StatefulSet's `spec.replicas` and `partition`, the Deployments' revision
 * annotations, and every pod ever created or deleted (by uid, with its cairn revision). Independent
 * of cairn: it watches the cluster through client-node, so it sees what a crash left behind.
 */
import { KubeConfig, Watch, type V1Deployment, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';

export interface WorkloadHistory {
  kind: 'Deployment' | 'StatefulSet';
  /** The cairn revision in the workload's labels. */
  revision: number;
  /** spec.replicas, each change once, in order. */
  replicas: number[];
  /** rollingUpdate.partition (StatefulSet), each change once, in order. */
  partitions: number[];
  /** deployment.kubernetes.io/revision values seen (a new one = the pod template changed: a new rollout). */
  rollouts: string[];
  /** StatefulSet status.updateRevision, each change once, in order (a new one = the pod template changed). */
  updateRevisions: string[];
  /** The cairn revision of the workload's pod template, each change once, in order. */
  templateRevisions: number[];
}

export interface PodHistory {
  uid: string;
  name: string;
  revision: number;
  ready: boolean;
  /** Has a deletionTimestamp (on its way out). */
  terminating: boolean;
  deleted: boolean;
  /** Every event seen for this pod, in order (type, phase, Ready, terminating, node, reason): printed when a test fails. */
  history: string[];
}

export interface ClusterRecorder {
  workloads: Map<string, WorkloadHistory>;
  pods: Map<string, PodHistory>;
  /** Every pod's and workload's recorded history, as text: the message of a failed expectation. */
  describe(): string;
  /** Pods Ready now and not on their way out, as the recorded events show them. */
  readyNow(): number;
  /** Starts tracking the fewest Ready pods from now on (after every recorded pod change); returns its reader. */
  readyFloor(): () => number;
  /** Resolves once `test` holds (checked now and after every recorded change). */
  when(what: string, test: () => boolean, timeoutMs?: number): Promise<void>;
  stop(): void;
}

const revisionOf = (labels: Record<string, string> | undefined) => Number(labels?.['cairn.dev/revision'] ?? NaN);
const pushChange = (list: number[], value: number | undefined) => {
  if (value !== undefined && list.at(-1) !== value) list.push(value);
};

export async function recordNamespace(kc: KubeConfig, namespace: string): Promise<ClusterRecorder> {
  const workloads = new Map<string, WorkloadHistory>();
  const pods = new Map<string, PodHistory>();
  const waiters = new Set<() => void>();
  /** The namespace's events as they were added (the StatefulSet controller names each pod it deletes). */
  const events: string[] = [];
  const floors = new Set<{ min: number }>();
  const readyNow = () => [...pods.values()].filter((p) => p.ready && !p.terminating && !p.deleted).length;
  const aborts: AbortController[] = [];
  let stopped = false;

  const onWorkload = (kind: WorkloadHistory['kind'], obj: V1Deployment | V1StatefulSet) => {
    const name = obj.metadata!.name!;
    let h = workloads.get(name);
    if (!h) workloads.set(name, (h = { kind, revision: revisionOf(obj.metadata?.labels), replicas: [], partitions: [], rollouts: [], updateRevisions: [], templateRevisions: [] }));
    pushChange(h.replicas, obj.spec?.replicas);
    if (kind === 'StatefulSet') pushChange(h.partitions, (obj as V1StatefulSet).spec?.updateStrategy?.rollingUpdate?.partition ?? 0);
    const rollout = obj.metadata?.annotations?.['deployment.kubernetes.io/revision'];
    if (rollout && !h.rollouts.includes(rollout)) h.rollouts.push(rollout);
    const updateRevision = (obj as V1StatefulSet).status?.updateRevision;
    if (kind === 'StatefulSet' && updateRevision && h.updateRevisions.at(-1) !== updateRevision) h.updateRevisions.push(updateRevision);
    pushChange(h.templateRevisions, revisionOf(obj.spec?.template?.metadata?.labels));
  };
  const onPod = (type: string, pod: V1Pod) => {
    const uid = pod.metadata!.uid!;
    const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
    const before = pods.get(uid);
    const terminating = Boolean(pod.metadata?.deletionTimestamp);
    const s = pod.status;
    const waiting = s?.containerStatuses?.map((c) => c.state?.waiting?.reason ?? c.state?.terminated?.reason ?? '').filter(Boolean).join(',');
    const seen = `${new Date().toISOString().slice(11, 23)} ${type} ${s?.phase ?? '-'}${ready ? ' Ready' : ''}${terminating ? ' terminating' : ''} node=${pod.spec?.nodeName ?? '-'}${s?.reason ? ` reason=${s.reason}` : ''}${waiting ? ` containers=${waiting}` : ''} hash=${pod.metadata?.labels?.['controller-revision-hash'] ?? '-'}`;
    const history = [...(before?.history ?? []), seen];
    pods.set(uid, { uid, name: pod.metadata!.name!, revision: revisionOf(pod.metadata?.labels), ready, terminating, deleted: (before?.deleted ?? false) || type === 'DELETED', history });
    if (floors.size) {
      const n = readyNow();
      for (const f of floors) f.min = Math.min(f.min, n);
    }
  };

  const follow = async (path: string, handle: (type: string, obj: any) => void) => {
    let resourceVersion: string | undefined;
    const start = async (): Promise<void> => {
      if (stopped) return;
      // Without a resourceVersion, a watch starts with the current objects (ADDED), then the changes.
      const controller = await new Watch(kc).watch(
        path,
        resourceVersion ? { resourceVersion, allowWatchBookmarks: true } : { allowWatchBookmarks: true },
        (type: string, obj: any) => {
          if (type === 'ERROR') {
            resourceVersion = undefined; // 410 Gone: start over from the current objects
            return;
          }
          if (obj?.metadata?.resourceVersion) resourceVersion = obj.metadata.resourceVersion;
          if (type === 'BOOKMARK') return;
          handle(type, obj);
          for (const wake of [...waiters]) wake();
        },
        (err: unknown) => {
          if (stopped) return;
          setTimeout(() => void start().catch(() => undefined), 20);
        },
      );
      aborts.push(controller);
    };
    await start();
  };

  await follow(`/apis/apps/v1/namespaces/${namespace}/deployments`, (_t, d: V1Deployment) => onWorkload('Deployment', d));
  await follow(`/apis/apps/v1/namespaces/${namespace}/statefulsets`, (_t, s: V1StatefulSet) => onWorkload('StatefulSet', s));
  await follow(`/api/v1/namespaces/${namespace}/pods`, onPod);
  await follow(`/api/v1/namespaces/${namespace}/events`, (type: string, e: any) => {
    if ((type === 'ADDED' || type === 'MODIFIED') && events.length < 500) events.push(`  ${new Date().toISOString().slice(11, 23)} ${type === 'MODIFIED' ? `(×${e.count}) ` : ''}${e.involvedObject?.kind}/${e.involvedObject?.name} ${e.reason}: ${e.message} (${e.source?.component ?? e.reportingComponent ?? '-'})`);
  });

  return {
    workloads,
    pods,
    describe() {
      const lines = [...workloads.entries()].map(([name, w]) => `${w.kind} ${name}: replicas ${w.replicas.join('→')} partitions ${w.partitions.join('→')} rollouts ${w.rollouts.join(',')} updateRevisions ${w.updateRevisions.join('→')} template revisions ${w.templateRevisions.join('→')}`);
      lines.push('events:', ...events);
      for (const p of pods.values()) lines.push(`pod ${p.name} (cairn revision ${p.revision}, uid ${p.uid.slice(0, 8)})`, ...p.history.map((h) => `  ${h}`));
      return lines.join('\n');
    },
    readyNow,
    readyFloor() {
      const floor = { min: readyNow() };
      floors.add(floor);
      return () => floor.min;
    },
    when(what, test, timeoutMs = 30_000) {
      if (test()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}`));
        }, timeoutMs);
        const check = () => {
          if (!test()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    stop() {
      stopped = true;
      for (const a of aborts) a.abort();
    },
  };
}
