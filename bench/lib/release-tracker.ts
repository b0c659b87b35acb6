/**
 * What a release looks like on raw watches (stateless apps: one Deployment per revision): each
 * increase of a revision's Deployment `spec.replicas` is a batch starting (the first one: the
 * release's first batch), and the moment that revision's Ready pods (not terminating) reach the
 * batch's replicas is the batch done. The gap of a batch = the next batch's start − this batch's
 * done; submit → first batch = the first start − the moment the order was sent.
 */
import type { KubeObject, WatchEventType } from './raw-watch.js';

const REVISION = 'cairn.dev/revision';
const ENVIRONMENT = 'cairn.dev/environment';

export interface Step {
  replicas: number;
  /** When the Deployment's new replicas were seen. */
  startedAt: number;
  /** When that many of the revision's pods were Ready. */
  readyAt?: number;
}

interface Revision {
  steps: Step[];
  pods: Map<string, boolean>;
  ready: number;
}

export interface ReleaseTracker {
  onDeployment(type: WatchEventType, deployment: KubeObject, at: number): void;
  onPod(type: WatchEventType, pod: KubeObject, at: number): void;
  /** The release in `namespace` was sent at `sentAt` (performance.now()). */
  submitted(namespace: string, sentAt: number): void;
  /** Called when a batch is done (its pods Ready); the direct floor drives its next batch from here. */
  onStepReady(fn: (namespace: string, revision: string, step: Step) => void): void;
  /** Resolves once every tracked namespace has `instances` Ready pods of its latest revision. */
  allReady(namespaces: readonly string[], instances: number): Promise<number>;
  results(): ReleaseFigures;
  /** When each namespace's first batch started (its latest revision's first replicas seen), by namespace. */
  firstStarts(): Map<string, number>;
  /** Resolves once every one of `namespaces` has had a batch start (its first batch seen). */
  firstBatchesSeen(namespaces: readonly string[]): Promise<void>;
  /** Progress for long runs: pods Ready now, and batches started and done so far. */
  progress(): { readyPods: number; batchesStarted: number; batchesDone: number };
}

export interface ReleaseFigures {
  gaps: number[];
  firstBatch: number[];
  /** Batches started before the previous batch's pods were all Ready (should be none). */
  early: number;
  /** Time the last pod of all became Ready. */
  lastReadyAt: number;
}

const isReady = (pod: KubeObject) =>
  !pod.metadata.deletionTimestamp && (pod.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

export function createReleaseTracker(options: { environment?: string } = {}): ReleaseTracker {
  const environment = options.environment ?? 'production';
  const revisions = new Map<string, Revision>(); // `${namespace}/${revision}`
  const latest = new Map<string, string>(); // namespace → its highest revision seen
  const sent = new Map<string, number>();
  const stepReady: Array<(namespace: string, revision: string, step: Step) => void> = [];
  let early = 0;
  let lastReadyAt = 0;
  let waiter: (() => void) | null = null;
  /** Told whenever a batch starts. */
  const started: Array<() => void> = [];

  const revisionOf = (o: KubeObject) => {
    const labels = o.metadata.labels ?? {};
    if (labels[ENVIRONMENT] !== undefined && labels[ENVIRONMENT] !== environment) return null;
    const number = labels[REVISION];
    if (!number || !o.metadata.namespace) return null;
    const key = `${o.metadata.namespace}/${number}`;
    let r = revisions.get(key);
    if (!r) revisions.set(key, (r = { steps: [], pods: new Map(), ready: 0 }));
    const prev = latest.get(o.metadata.namespace);
    if (!prev || Number(number) > Number(prev)) latest.set(o.metadata.namespace, number);
    return { r, namespace: o.metadata.namespace, number };
  };

  const check = (namespace: string, number: string, r: Revision, at: number) => {
    const step = r.steps.at(-1);
    if (step && step.readyAt === undefined && r.ready >= step.replicas) {
      step.readyAt = at;
      lastReadyAt = Math.max(lastReadyAt, at);
      for (const fn of stepReady) fn(namespace, number, step);
      waiter?.();
    }
  };

  return {
    onDeployment(type, deployment, at) {
      if (type === 'DELETED') return;
      const found = revisionOf(deployment);
      if (!found) return;
      const replicas = Number(deployment.spec?.replicas ?? 0);
      const last = found.r.steps.at(-1);
      if (replicas > (last?.replicas ?? 0)) {
        if (last && last.readyAt === undefined) early++;
        found.r.steps.push({ replicas, startedAt: at });
        for (const fn of [...started]) fn();
        check(found.namespace, found.number, found.r, at);
      }
    },
    onPod(type, pod, at) {
      const found = revisionOf(pod);
      if (!found) return;
      const { r } = found;
      const was = r.pods.get(pod.metadata.name) ?? false;
      const now = type === 'DELETED' ? false : isReady(pod);
      if (type === 'DELETED') r.pods.delete(pod.metadata.name);
      else r.pods.set(pod.metadata.name, now);
      if (was !== now) r.ready += now ? 1 : -1;
      if (now && !was) check(found.namespace, found.number, r, at);
    },
    submitted(namespace, sentAt) {
      sent.set(namespace, sentAt);
    },
    onStepReady(fn) {
      stepReady.push(fn);
    },
    allReady(namespaces, instances) {
      const done = () =>
        namespaces.every((ns) => {
          const number = latest.get(ns);
          const step = number ? revisions.get(`${ns}/${number}`)?.steps.at(-1) : undefined;
          return step !== undefined && step.replicas >= instances && step.readyAt !== undefined;
        });
      return new Promise((resolve) => {
        if (done()) return resolve(lastReadyAt);
        waiter = () => {
          if (!done()) return;
          waiter = null;
          resolve(lastReadyAt);
        };
      });
    },
    progress() {
      let readyPods = 0;
      let batchesStarted = 0;
      let batchesDone = 0;
      for (const r of revisions.values()) {
        readyPods += r.ready;
        batchesStarted += r.steps.length;
        batchesDone += r.steps.filter((s) => s.readyAt !== undefined).length;
      }
      return { readyPods, batchesStarted, batchesDone };
    },
    firstBatchesSeen(namespaces) {
      const seen = () => namespaces.every((ns) => (revisions.get(`${ns}/${latest.get(ns)}`)?.steps.length ?? 0) > 0);
      return new Promise<void>((resolve) => {
        if (seen()) return resolve();
        const onStart = () => {
          if (!seen()) return;
          started.splice(started.indexOf(onStart), 1);
          resolve();
        };
        started.push(onStart);
      });
    },
    firstStarts() {
      const out = new Map<string, number>();
      for (const [ns, number] of latest) {
        const first = revisions.get(`${ns}/${number}`)?.steps[0];
        if (first) out.set(ns, first.startedAt);
      }
      return out;
    },
    results() {
      const gaps: number[] = [];
      const firstBatch: number[] = [];
      for (const [key, r] of revisions) {
        r.steps.forEach((step, i) => {
          const next = r.steps[i + 1];
          if (next && step.readyAt !== undefined && next.startedAt >= step.readyAt) gaps.push(next.startedAt - step.readyAt);
        });
        const namespace = key.slice(0, key.lastIndexOf('/'));
        const sentAt = sent.get(namespace);
        if (sentAt !== undefined && r.steps[0] && latest.get(namespace) === key.slice(key.lastIndexOf('/') + 1)) firstBatch.push(r.steps[0].startedAt - sentAt);
      }
      return { gaps, firstBatch, early, lastReadyAt };
    },
  };
}

/** Prints the tracker's progress every `everyMs` (to stderr) until the returned function is called. */
export function reportProgress(tracker: ReleaseTracker, what: string, totalPods: number, totalBatches: number, everyMs = 15_000): () => void {
  const started = Date.now();
  const timer = setInterval(() => {
    const p = tracker.progress();
    console.error(`  … ${what}: ${Math.round((Date.now() - started) / 1000)} s, ${p.readyPods}/${totalPods} pods Ready, batches started ${p.batchesStarted}/${totalBatches}, done ${p.batchesDone}/${totalBatches}`);
  }, everyMs);
  return () => clearInterval(timer);
}
