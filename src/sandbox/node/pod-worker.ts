/**
 * One pod on a simulated node: sets up its sandbox (IP, volumes), runs its containers, reports its
 * status when it changes, and on deletion stops the containers within the grace period and removes
 * the pod (delete with gracePeriodSeconds 0), as the kubelet's pod worker does.
 */
import type { Clock } from '../clock.js';
import type { ImageCatalog } from '../images/catalog.js';
import { ContainerRunner, type PodContext } from './container.js';
import { containerFs, MountError, type ObjectLookup, type PodNetwork } from './environment.js';
import type { InvolvedObject } from './events.js';
import { messages, podDesc, type EventMessage } from './messages.js';
import type { FirstPods } from './first-pods.js';
import type { ClusterNetwork } from './cluster-network.js';
import { derivePodStatus } from './pod-status.js';
import { DEADLINE_MESSAGE, DEADLINE_REASON, deadlineEvent, deadlineRemainingMs } from './active-deadline.js';
import { simSince } from './sim-time.js';
import type { HttpResult } from './shell.js';
import type { Container, Pod, PodStatus } from './types.js';

export interface NodeServices {
  nodeName: string;
  hostIP: string;
  clock: Clock;
  catalog: ImageCatalog;
  nodeImages: Set<string>;
  pulls: Map<string, Promise<void>>;
  /** Who ran each image first, shared by all nodes of the agent (the cluster). */
  firstPods: FirstPods;
  /** The cluster's pod network, shared by all nodes of the agent (pod-to-pod requests by IP). */
  network?: ClusterNetwork;
  lookup: ObjectLookup;
  allocateIP(preferred?: string): string;
  releaseIP(ip: string): void;
  event(obj: InvolvedObject, ev: EventMessage): void;
  nodeEvent(ev: EventMessage, component: string): void;
  /** Writes the pod's status (merge patch of the status subresource). */
  writeStatus(pod: Pod, status: PodStatus): Promise<void>;
  /** Deletes the pod with gracePeriodSeconds 0 (precondition: its uid). */
  deletePod(pod: Pod): Promise<void>;
  log(msg: string, err?: unknown): void;
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * A changed pod spec takes effect at the kubelet's next sync (its PLEG relists every second), never
 * in the same round trip as the change: a client that changes the spec still reads the old status.
 */
export const SYNC_DELAY_MS = 1000;

/** How long (real ms) a terminating pod waits for its status writes before its deletion is sent. */
const FLUSH_BEFORE_DELETE_MS = 10_000;

export class PodWorker {
  pod: Pod;
  readonly runners = new Map<string, ContainerRunner>();
  private net!: PodNetwork;
  private startTime!: string;
  private lastWritten?: string;
  private lastStatus?: PodStatus;
  /** The status write loop in progress, if any: flush() waits for it rather than returning early. */
  private writing: Promise<void> | undefined;
  private dirty = false;
  /**
   * Set once the pod's deletion is sent: no status is written after it (a write already in flight is
   * refused by its uid test if the name has passed to a new pod: api.ts writePodStatus).
   */
  private deleting = false;
  private terminating = false;
  private disposed = false;
  private sandboxReady = false;
  private readonly abort = new AbortController();
  /** Overrides the phase while the pod is being removed (terminal phase before deletion). */
  private finalPhase?: string;
  /** Set when the pod failed its active deadline: the status's reason and message. */
  private evicted?: { reason: string; message: string };
  private syncTimer?: () => void;
  /** The mutable part of the spec (images, active deadline) the worker last acted on. */
  private appliedSpec: string;
  private deadlineTimer?: () => void;
  private detachNetwork?: () => void;

  constructor(pod: Pod, private readonly node: NodeServices) {
    this.pod = pod;
    this.appliedSpec = mutableSpec(pod);
  }

  get key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  async start(): Promise<void> {
    const clock = this.node.clock;
    const podIP = this.pod.spec.hostNetwork ? this.node.hostIP : this.node.allocateIP(this.pod.status?.podIP);
    this.net = { podIP, hostIP: this.node.hostIP, nodeName: this.node.nodeName };
    if (!this.pod.spec.hostNetwork) this.detachNetwork = this.node.network?.attach(podIP, (port, method, path) => this.request(port, method, path));
    this.startTime = this.pod.status?.startTime ?? iso(clock.now());
    const ctx = this.context();
    for (const c of this.pod.spec.initContainers ?? []) this.runners.set(c.name, new ContainerRunner(c, ctx, true, 'PodInitializing'));
    const initializing = (this.pod.spec.initContainers ?? []).length > 0;
    for (const c of this.pod.spec.containers) this.runners.set(c.name, new ContainerRunner(c, ctx, false, initializing ? 'PodInitializing' : 'ContainerCreating'));
    this.changed();
    if (this.pod.metadata.deletionTimestamp) return void this.terminate();
    this.armDeadline();
    // Volumes are mounted before any container starts; a missing ConfigMap/Secret keeps the pod ContainerCreating.
    let attempt = 0;
    for (;;) {
      try {
        for (const c of this.pod.spec.containers) await containerFs(this.pod, c, {}, this.node.lookup, this.net);
        break;
      } catch (e) {
        if (!(e instanceof MountError)) throw e;
        this.event(undefined, messages.failedMount(e.volume, e.message));
        const wait = Math.min(500 * 2 ** attempt++, 122_000);
        try {
          await clock.sleep(wait, this.abort.signal);
        } catch {
          return;
        }
      }
    }
    if (this.abort.signal.aborted || this.terminating) return;
    this.sandboxReady = true;
    this.changed();
    // Init containers one at a time, each to a successful exit; then the app containers.
    for (const c of this.pod.spec.initContainers ?? []) {
      const r = this.runners.get(c.name)!;
      r.start();
      await r.finished;
      if (this.abort.signal.aborted || this.terminating || r.status.state.terminated?.exitCode !== 0) return;
    }
    for (const c of this.pod.spec.containers) {
      const r = this.runners.get(c.name)!;
      r.initialized();
      r.start();
    }
  }

  private context(): PodContext {
    const self = this;
    return {
      get pod() {
        return self.pod;
      },
      get net() {
        return self.net;
      },
      clock: this.node.clock,
      catalog: this.node.catalog,
      nodeImages: this.node.nodeImages,
      pulls: this.node.pulls,
      lookup: this.node.lookup,
      podDesc: podDesc(this.pod.metadata.name, this.pod.metadata.namespace, this.pod.metadata.uid),
      firstToRun: (image) => this.node.firstPods.claim(this.pod.metadata.namespace, image, this.pod.metadata.uid),
      event: (c, ev) => this.event(c, ev),
      nodeEvent: (ev, component) => this.node.nodeEvent(ev, component),
      changed: () => this.changed(),
      log: (msg) => this.node.log(msg),
      request: (port, method, path) => this.request(port, method, path),
      remote: (ip, port, method, path) => (ip === this.net.podIP ? this.request(port, method, path) : this.node.network?.request(ip, port, method, path)),
    };
  }

  private event(container: Container | undefined, ev: EventMessage) {
    const m = this.pod.metadata;
    this.node.event(
      {
        kind: 'Pod',
        apiVersion: 'v1',
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}),
        ...(container ? { fieldPath: `spec.containers{${container.name}}` } : {}),
      },
      ev,
    );
  }

  /** An HTTP request to the pod IP: whichever container listens on the port answers. */
  request(port: number, method: string, path: string): HttpResult {
    for (const r of this.runners.values()) {
      const app = r.current?.app;
      if (app?.isListening && app.image.spec.ports.includes(port)) return app.request(port, method, path);
    }
    return { kind: 'refused' };
  }

  /** A newer version of the pod from the API: deletion starts at once, a changed spec at the next sync. */
  update(pod: Pod): void {
    if (pod.metadata.uid !== this.pod.metadata.uid) return;
    this.pod = pod;
    if (pod.metadata.deletionTimestamp && !this.terminating) return void this.terminate();
    if (mutableSpec(pod) === this.appliedSpec) return;
    this.syncTimer ??= this.node.clock.after(SYNC_DELAY_MS, () => {
      this.syncTimer = undefined;
      this.syncSpec();
    });
  }

  /** The kubelet's sync of a changed spec: changed images restart their containers; a new active deadline is armed. */
  private syncSpec(): void {
    if (this.disposed || this.terminating || this.evicted) return;
    const pod = this.pod;
    this.appliedSpec = mutableSpec(pod);
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) this.runners.get(c.name)?.update(c);
    this.armDeadline();
  }

  /** Schedules the active deadline check from the pod's start time (activeDeadlineHandler). */
  private armDeadline(): void {
    this.deadlineTimer?.();
    this.deadlineTimer = undefined;
    const remaining = deadlineRemainingMs(this.pod, simSince(this.node.clock, new Date(this.startTime)));
    if (remaining === undefined) return;
    this.deadlineTimer = this.node.clock.after(remaining, () => {
      this.deadlineTimer = undefined;
      void this.deadlineExceeded();
    });
  }

  /** Past the active deadline: the pod fails with DeadlineExceeded and its containers are killed; it stays on the node. */
  private async deadlineExceeded(): Promise<void> {
    if (this.disposed || this.terminating || this.evicted) return;
    this.evicted = { reason: DEADLINE_REASON, message: DEADLINE_MESSAGE };
    this.event(undefined, deadlineEvent());
    this.abort.abort();
    this.finalPhase = 'Failed';
    this.changed();
    const grace = this.pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all([...this.runners.values()].map((r) => r.stop(grace * 1000)));
    this.sandboxReady = false;
    this.changed();
  }

  status(): PodStatus {
    const statuses = this.pod.spec.containers.map((c) => this.runners.get(c.name)!.status);
    const initStatuses = (this.pod.spec.initContainers ?? []).map((c) => this.runners.get(c.name)!.status);
    // Conditions the kubelet owns keep their transition times from what it last wrote; the others
    // (PodScheduled, DisruptionTarget, readiness gates …) are taken as the API has them now.
    const own = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);
    const apiConds = (this.pod.status?.conditions ?? []).filter((c) => !own.has(c.type));
    const ownConds = (this.lastStatus?.conditions ?? this.pod.status?.conditions ?? []).filter((c) => own.has(c.type));
    const base = { ...this.pod, status: { ...this.pod.status, conditions: [...ownConds, ...apiConds] } };
    const status = derivePodStatus({
      pod: base,
      statuses,
      initStatuses,
      podIP: this.net.podIP,
      hostIP: this.net.hostIP,
      startTime: this.startTime,
      sandboxReady: this.sandboxReady,
      now: iso(this.node.clock.now()),
    });
    if (this.evicted) Object.assign(status, this.evicted);
    if (this.finalPhase) {
      status.phase = this.finalPhase;
      for (const c of status.conditions ?? []) if (c.type === 'Ready' || c.type === 'ContainersReady') {
        if (c.status === 'True') c.lastTransitionTime = iso(this.node.clock.now());
        c.status = 'False';
        c.reason = 'PodCompleted';
        delete c.message;
      }
    }
    return status;
  }

  changed(): void {
    if (this.disposed || this.deleting) return;
    this.dirty = true;
    if (!this.writing) void this.flush();
  }

  /** Writes status until nothing new is pending. Resolves when done (also when a loop was already writing). */
  flush(): Promise<void> {
    this.writing ??= this.writeLoop();
    return this.writing;
  }

  private async writeLoop(): Promise<void> {
    await Promise.resolve(); // this.writing is set before the loop can end
    try {
      while (this.dirty && !this.disposed && !this.deleting) {
        this.dirty = false;
        await Promise.resolve();
        const status = this.status();
        const comparable = JSON.stringify({ ...status, conditions: status.conditions?.map((c) => ({ ...c, lastTransitionTime: undefined })) });
        if (comparable === this.lastWritten) continue;
        try {
          await this.node.writeStatus(this.pod, status);
          this.lastWritten = comparable;
          this.lastStatus = status;
        } catch (e) {
          this.node.log(`status update for ${this.key} failed`, e);
          if (isGone(e)) return;
          this.dirty = true;
          // Back off in real time too, so a fast clock does not hammer an API server that is down.
          await new Promise((r) => setTimeout(r, Math.max(200, this.node.clock.real(1000))));
        }
      }
    } finally {
      this.writing = undefined; // in the same turn as the loop's last check: a change after it starts a new loop
    }
  }

  private async terminate(): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    this.abort.abort();
    this.deadlineTimer?.();
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all([...this.runners.values()].map((r) => r.stop(grace * 1000)));
    const statuses = [...this.runners.values()].map((r) => r.status);
    if (!this.evicted) this.finalPhase = statuses.every((s) => s.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    this.sandboxReady = false;
    this.changed();
    // The last status is written before the deletion (bounded: a status write that hangs does not keep the pod).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.flush(), new Promise((r) => (timer = setTimeout(r, FLUSH_BEFORE_DELETE_MS)))]).finally(() => clearTimeout(timer));
    this.deleting = true;
    try {
      await this.node.deletePod(this.pod);
    } catch (e) {
      if (!isGone(e)) this.node.log(`deleting ${this.key} failed`, e);
    }
    this.dispose();
  }

  /** The pod is gone from the API (or the agent stops): stop at once and free the IP. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.abort.abort();
    this.syncTimer?.();
    this.deadlineTimer?.();
    for (const r of this.runners.values()) r.dispose();
    this.detachNetwork?.();
    if (this.net && !this.pod.spec.hostNetwork) this.node.releaseIP(this.net.podIP);
  }

  /** Admitted and not yet finished: what the kubelet counts as an active pod (its host ports are taken). */
  get isActive(): boolean {
    const phase = this.lastStatus?.phase;
    return !this.disposed && !this.finalPhase && phase !== 'Succeeded' && phase !== 'Failed';
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/** What of a pod's spec may change after creation and matters to the kubelet: images and the active deadline. */
function mutableSpec(pod: Pod): string {
  const images = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.image ?? '');
  return JSON.stringify([images, pod.spec.activeDeadlineSeconds ?? null]);
}

/** The pod is gone, or was replaced by another of the same name (its uid no longer matches). */
function isGone(e: unknown): boolean {
  const { code, body } = (e ?? {}) as { code?: number; body?: unknown };
  const text = String(typeof body === 'string' ? body : JSON.stringify(body));
  return code === 404 || code === 409 || (code === 422 && (text.includes('metadata.uid') || text.includes('/metadata/uid')));
}
