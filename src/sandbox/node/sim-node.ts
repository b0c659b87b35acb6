/** One simulated node: registration, lease, status heartbeats, its pods' workers, its kubelet API. */
import type { Clock } from '../clock.js';
import type { ImageCatalog } from '../images/catalog.js';
import type { KubeletApi } from '../kubelet-api.js';
import { deletePodNow, eventSink, objectLookup, writePodStatus, type Api } from './api.js';
import { EventRecorder } from './events.js';
import type { FirstPods } from './first-pods.js';
import type { ClusterNetwork } from './cluster-network.js';
import { createKubeletApi } from './kubelet.js';
import { IpPool, type NodeConfig } from './node-object.js';
import { PodWorker, type NodeServices } from './pod-worker.js';
import { watchNodePods } from './pod-watch.js';
import { LeaseKeeper, leaseRenewMs, registerNode, reportNodeStatus, statusReportMs } from './registration.js';
import type { Pod } from './types.js';
import { admit, rejectionEvent, rejectionStatus } from './admission.js';

export type Log = (msg: string, err?: unknown) => void;

export class SimNode {
  readonly workers = new Map<string, PodWorker>();
  readonly kubelet: KubeletApi;
  private readonly abort = new AbortController();
  private readonly cancels: (() => void)[] = [];
  private readonly ips: IpPool;
  private readonly images = new Set<string>();
  private readonly events: EventRecorder;
  private readonly kernelEvents: EventRecorder;
  private readonly services: NodeServices;
  private watching?: Promise<void>;
  /** Pods this node refused to admit (by uid), until they are deleted. */
  private readonly rejected = new Set<string>();

  constructor(
    private readonly api: Api,
    readonly cfg: NodeConfig,
    private readonly clock: Clock,
    catalog: ImageCatalog,
    private readonly log: Log,
    firstPods: FirstPods,
    network?: ClusterNetwork,
  ) {
    this.ips = new IpPool(cfg.podCIDR);
    const now = () => clock.now();
    this.events = new EventRecorder(eventSink(api), 'kubelet', cfg.name, now, (e) => log(`event on ${cfg.name} failed`, e));
    this.kernelEvents = new EventRecorder(eventSink(api), 'kernel-monitor', cfg.name, now, (e) => log(`event on ${cfg.name} failed`, e));
    const nodeRef = { kind: 'Node', apiVersion: 'v1', name: cfg.name, uid: cfg.name };
    this.services = {
      nodeName: cfg.name,
      hostIP: cfg.hostIP,
      clock,
      catalog,
      nodeImages: this.images,
      pulls: new Map(),
      firstPods,
      network,
      lookup: objectLookup(api),
      allocateIP: (preferred) => this.ips.allocate(preferred),
      releaseIP: (ip) => this.ips.release(ip),
      event: (obj, ev) => this.events.record(obj, ev),
      nodeEvent: (ev, component) => (component === 'kubelet' ? this.events : this.kernelEvents).record(nodeRef, ev),
      writeStatus: (pod, status) => writePodStatus(api, pod, status),
      deletePod: (pod) => deletePodNow(api, pod),
      log,
    };
    const startTime = clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.kubelet = createKubeletApi(
      (ns, name) => {
        const w = this.workers.get(`${ns}/${name}`);
        return w && !w.isDisposed ? w : undefined;
      },
      {
        nodeName: cfg.name,
        startTime,
        pods: () =>
          [...this.workers.values()]
            .filter((w) => !w.isDisposed)
            .map((w) => ({
              pod: w.pod,
              running: [...w.runners.values()].flatMap((r) => {
                const inst = r.runningInstance();
                return inst ? [{ name: r.name, startedAt: inst.startedAt, memoryMi: inst.app.memoryMi() }] : [];
              }),
            })),
      },
    );
  }

  async start(): Promise<void> {
    const { uid, readyTransition } = await registerNode(this.api, this.cfg, this.clock, this.events);
    const lease = new LeaseKeeper(this.api, this.cfg, uid, this.clock);
    await lease.renew().catch((e) => this.log(`lease for ${this.cfg.name} failed`, e));
    // One renewal at a time, as the kubelet's lease controller: with a fast clock and a slow API server,
    // overlapping renewals would only conflict with each other and add load.
    let renewing = false;
    this.cancels.push(
      this.clock.every(leaseRenewMs, () => {
        if (renewing) return;
        renewing = true;
        lease
          .renew()
          .catch((e) => this.log(`lease renewal for ${this.cfg.name} failed`, e))
          .finally(() => (renewing = false));
      }),
    );
    this.cancels.push(
      this.clock.every(statusReportMs, () =>
        void reportNodeStatus(this.api, this.cfg, this.clock, readyTransition, [...this.images]).catch((e) => this.log(`node status for ${this.cfg.name} failed`, e)),
      ),
    );
    this.watching = watchNodePods(this.api, this.cfg.name, { sync: (pods) => this.sync(pods), event: (t, p) => this.onEvent(t, p) }, this.abort.signal, { log: this.log });
  }

  private sync(pods: Pod[]): void {
    const keys = new Set<string>();
    for (const p of pods) {
      keys.add(`${p.metadata.namespace}/${p.metadata.name}`);
      this.upsert(p);
    }
    for (const [k, w] of this.workers) {
      if (!keys.has(k)) {
        w.dispose();
        this.workers.delete(k);
      }
    }
  }

  private onEvent(type: 'ADDED' | 'MODIFIED' | 'DELETED', pod: Pod): void {
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (type === 'DELETED') {
      this.rejected.delete(pod.metadata.uid);
      const w = this.workers.get(key);
      if (w && w.pod.metadata.uid === pod.metadata.uid) {
        w.dispose();
        this.workers.delete(key);
      }
      return;
    }
    this.upsert(pod);
  }

  private upsert(pod: Pod): void {
    if (pod.spec?.nodeName !== this.cfg.name) return;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const existing = this.workers.get(key);
    if (existing && existing.pod.metadata.uid === pod.metadata.uid) {
      existing.update(pod);
      return;
    }
    if (existing) {
      existing.dispose();
      this.workers.delete(key);
    }
    if (this.rejected.has(pod.metadata.uid)) {
      // A rejected pod never ran: once deleted, it goes at once.
      if (pod.metadata.deletionTimestamp) void this.services.deletePod(pod).catch(() => {});
      return;
    }
    // A pod already finished before this agent saw it is left as it is.
    if (!existing && (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') && !pod.metadata.deletionTimestamp) return;
    if (!pod.metadata.deletionTimestamp && this.reject(pod)) return;
    const worker = new PodWorker(pod, this.services);
    this.workers.set(key, worker);
    worker.start().catch((e) => this.log(`pod ${key} failed`, e));
  }

  /** Admission (canAdmitPod) against the node's active pods; a rejected pod fails at once and never runs. */
  private reject(pod: Pod): boolean {
    const active = [...this.workers.values()].filter((w) => w.isActive).map((w) => w.pod);
    const rejection = admit(pod, active);
    if (!rejection) return false;
    this.rejected.add(pod.metadata.uid);
    const m = pod.metadata;
    this.events.record({ kind: 'Pod', apiVersion: 'v1', namespace: m.namespace, name: m.name, uid: m.uid, ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) }, rejectionEvent(rejection));
    const now = this.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    void this.services.writeStatus(pod, rejectionStatus(rejection, now, pod.status?.startTime)).catch((e) => this.log(`status of rejected pod ${m.namespace}/${m.name} failed`, e));
    return true;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const c of this.cancels.splice(0)) c();
    for (const w of this.workers.values()) w.dispose();
    this.workers.clear();
    await this.watching?.catch(() => {});
    this.events.stop();
    this.kernelEvents.stop();
    await Promise.race([Promise.all([this.events.flush(), this.kernelEvents.flush()]), new Promise((r) => setTimeout(r, 2000))]);
  }
}
