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

export class PodWorker {
  pod: Pod;
  readonly runners = new Map<string, ContainerRunner>();
  private net!: PodNetwork;
  private startTime!: string;
  private lastWritten?: string;
  private lastStatus?: PodStatus;
  private writing = false;
  private dirty = false;
  private terminating = false;
  private disposed = false;
  private sandboxReady = false;
  private readonly abort = new AbortController();
  /** Overrides the phase while the pod is being removed (terminal phase before deletion). */
  private finalPhase?: string;
  private detachNetwork?: () => void;

  constructor(pod: Pod, private readonly node: NodeServices) {
    this.pod = pod;
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

  /** A newer version of the pod from the API. */
  update(pod: Pod): void {
    if (pod.metadata.uid !== this.pod.metadata.uid) return;
    this.pod = pod;
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) this.runners.get(c.name)?.update(c);
    if (pod.metadata.deletionTimestamp && !this.terminating) void this.terminate();
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
    if (this.disposed) return;
    this.dirty = true;
    if (!this.writing) void this.flush();
  }

  /** Writes status until nothing new is pending. Resolves when done. */
  async flush(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.dirty && !this.disposed) {
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
      this.writing = false;
    }
  }

  private async terminate(): Promise<void> {
    if (this.terminating) return;
    this.terminating = true;
    this.abort.abort();
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all([...this.runners.values()].map((r) => r.stop(grace * 1000)));
    const statuses = [...this.runners.values()].map((r) => r.status);
    this.finalPhase = statuses.every((s) => s.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
    this.sandboxReady = false;
    this.changed();
    await this.flush();
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
    for (const r of this.runners.values()) r.dispose();
    this.detachNetwork?.();
    if (this.net && !this.pod.spec.hostNetwork) this.node.releaseIP(this.net.podIP);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }
}

/** The pod is gone, or was replaced by another of the same name (its uid no longer matches). */
function isGone(e: unknown): boolean {
  const { code, body } = (e ?? {}) as { code?: number; body?: unknown };
  return code === 404 || code === 409 || (code === 422 && String(typeof body === 'string' ? body : JSON.stringify(body)).includes('metadata.uid'));
}
