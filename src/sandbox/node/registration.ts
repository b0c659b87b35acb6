/**
 * Registers a simulated node, keeps its Lease in kube-node-lease renewed every 10 s and reports its
 * status (heartbeat) every 5 min, or sooner when its image list changes — the kubelet's
 * nodeLeaseRenewInterval / nodeStatusReportFrequency.
 */
import type { Clock } from '../clock.js';
import { mergePatch, statusCode, type Api } from './api.js';
import type { EventRecorder } from './events.js';
import { nodeMessages } from './messages.js';
import { leaseObject, microTime, nodeObject, nodeStatus, type NodeConfig } from './node-object.js';

export const leaseRenewMs = 10_000;
export const statusReportMs = 5 * 60_000;

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export async function registerNode(api: Api, cfg: NodeConfig, clock: Clock, events: EventRecorder): Promise<{ uid?: string; readyTransition: string }> {
  const now = iso(clock.now());
  const ref = { kind: 'Node', apiVersion: 'v1', name: cfg.name, uid: cfg.name };
  events.record(ref, nodeMessages.starting());
  const body = nodeObject(cfg, now);
  let uid: string | undefined;
  try {
    const created = await api.core.createNode({ body: body as never });
    uid = created.metadata?.uid;
    // A kube-apiserver keeps the status given on create, but a status write is what a kubelet relies on.
    await api.core.patchNodeStatus({ name: cfg.name, body: { status: body.status } }, mergePatch());
  } catch (e) {
    if (statusCode(e) !== 409) throw e;
    // Already registered (agent restart): bring its status up to date.
    const existing = await api.core.readNode({ name: cfg.name });
    uid = existing.metadata?.uid;
    await api.core.patchNodeStatus({ name: cfg.name, body: { status: body.status } }, mergePatch());
  }
  for (const c of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) events.record(ref, nodeMessages.status(cfg.name, c));
  events.record(ref, nodeMessages.allocatable());
  events.record(ref, nodeMessages.status(cfg.name, 'NodeReady'));
  return { uid, readyTransition: now };
}

export class LeaseKeeper {
  private resourceVersion?: string;
  constructor(private readonly api: Api, private readonly cfg: NodeConfig, private readonly nodeUid: string | undefined, private readonly clock: Clock) {}

  async renew(): Promise<void> {
    const body = leaseObject(this.cfg, this.nodeUid, microTime(this.clock.now()));
    const namespace = 'kube-node-lease';
    if (this.resourceVersion) {
      try {
        const r = await this.api.coordination.replaceNamespacedLease({ name: this.cfg.name, namespace, body: { ...body, metadata: { ...body.metadata, resourceVersion: this.resourceVersion } } as never });
        this.resourceVersion = r.metadata?.resourceVersion;
        return;
      } catch (e) {
        if (statusCode(e) !== 409 && statusCode(e) !== 404) throw e;
        this.resourceVersion = undefined;
      }
    }
    try {
      const existing = await this.api.coordination.readNamespacedLease({ name: this.cfg.name, namespace });
      const r = await this.api.coordination.replaceNamespacedLease({ name: this.cfg.name, namespace, body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } } as never });
      this.resourceVersion = r.metadata?.resourceVersion;
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
      try {
        const r = await this.api.coordination.createNamespacedLease({ namespace, body: body as never });
        this.resourceVersion = r.metadata?.resourceVersion;
      } catch (e2) {
        if (statusCode(e2) !== 404) throw e2;
        // The namespace is missing (a bare API server): create it, renew next time.
        await this.api.core.createNamespace({ body: { metadata: { name: namespace } } }).catch(() => {});
      }
    }
  }
}

export async function reportNodeStatus(api: Api, cfg: NodeConfig, clock: Clock, readyTransition: string, images: string[]): Promise<void> {
  const status = nodeStatus(cfg, iso(clock.now()), readyTransition, images);
  await api.core.patchNodeStatus({ name: cfg.name, body: { status } }, mergePatch());
}
