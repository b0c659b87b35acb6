/** A stateful app's StatefulSet on a sandbox cluster: template per revision, partition per batch. */
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import type { Workloads } from '../../src/kube/workloads.js';
import { liveOf, nginxSettings, observeUntil, readyOf, target, workloadsFor } from './workloads-helpers.js';

let cluster: SandboxCluster;
let kube: Workloads;
let apps: AppsV1Api;
let core: CoreV1Api;

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-stateful', speed: 100 });
  const w = workloadsFor(cluster.kubeconfig);
  kube = w.kube;
  apps = w.kc.makeApiClient(AppsV1Api);
  core = w.kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('a stateful app', () => {
  const t = target('ledger', 'STATEFUL');
  const s1 = nginxSettings();
  const s2 = nginxSettings({ env: [{ name: 'GREETING', value: 'v2', secret: false }] });
  const r1 = { number: 1, image: 'nginx:1.25', settings: s1 };
  const r2 = { number: 2, image: 'nginx:1.26', settings: s2, releaseOrderId: 7 };

  it('runs the first revision with a headless Service', async () => {
    expect((await kube.ensureBase(t, s1.ports)).ok).toBe(true);
    expect((await kube.ensureRevision(t, r1, 3)).ok).toBe(true);
    const o = await observeUntil(kube, t, (o) => readyOf(o, 1) === 3);
    expect(o.statefulSet).toMatchObject({ name: 'ledger-production', revision: 1, replicas: 3, partition: 0 });
    expect(o.instances.map((i) => i.name)).toEqual(['ledger-production-0', 'ledger-production-1', 'ledger-production-2']);
    expect(o.revisions).toEqual([{ number: 1, desired: 3, current: 3, ready: 3, workload: 'ledger-production' }]);
    const headless = await core.readNamespacedService({ name: 'ledger-production-headless', namespace: t.namespace });
    expect(headless.spec?.clusterIP).toBe('None');
    const set = await apps.readNamespacedStatefulSet({ name: 'ledger-production', namespace: t.namespace });
    expect(set.spec?.serviceName).toBe('ledger-production-headless');
  });

  it('moves pods to a new revision batch by batch as the partition goes down', async () => {
    // The new template with the partition at replicas: no pod moves yet.
    expect((await kube.ensureRevision(t, r2, 3)).ok).toBe(true);
    let o = await observeUntil(kube, t, (o) => o.statefulSet?.revision === 2 && o.statefulSet.observed);
    expect(o.statefulSet).toMatchObject({ revision: 2, replicas: 3, partition: 3 });
    expect(o.revisions.map((r) => [r.number, r.desired])).toEqual([
      [1, 3],
      [2, 0],
    ]);

    expect((await kube.setPartition(t, 1)).ok).toBe(true);
    o = await observeUntil(kube, t, (o) => readyOf(o, 2) === 2 && readyOf(o, 1) === 1);
    expect(o.instances.filter((i) => i.revision === 2).map((i) => i.name)).toEqual(['ledger-production-1', 'ledger-production-2']);
    expect(o.revisions.map((r) => [r.number, r.desired])).toEqual([
      [1, 1],
      [2, 2],
    ]);

    // Repeating ensureRevision (after a crash) keeps the partition where it is.
    expect((await kube.ensureRevision(t, r2, 3)).ok).toBe(true);
    const set = await apps.readNamespacedStatefulSet({ name: 'ledger-production', namespace: t.namespace });
    expect(set.spec?.updateStrategy?.rollingUpdate?.partition).toBe(1);
    expect(set.metadata?.annotations?.['cairn.dev/release-order']).toBe('7');

    expect((await kube.setPartition(t, 0)).ok).toBe(true);
    o = await observeUntil(kube, t, (o) => readyOf(o, 2) === 3 && liveOf(o, 1) === 0);
    // Revision 1 has no workload (the StatefulSet's template is r2): it is known as a candidate, never from its ConfigMap or Secret.
    const listed = await kube.listRevisionsInCluster(t, [1, 2]);
    expect(listed.ok && listed.value.map((r) => [r.number, r.replicas, r.workload])).toEqual([
      [1, 0, ''],
      [2, 3, 'ledger-production'],
    ]);
  });

  it('refuses to remove the template revision, and removes an old one', async () => {
    expect(await kube.removeRevision(t, 2)).toMatchObject({ ok: false, error: { kind: 'Invalid' } });
    expect((await kube.removeRevision(t, 1)).ok).toBe(true);
    const listed = await kube.listRevisionsInCluster(t);
    expect(listed.ok && listed.value.map((r) => r.number)).toEqual([2]);
    await expect(core.readNamespacedConfigMap({ name: 'ledger-production-r1-files', namespace: t.namespace })).rejects.toMatchObject({ code: 404 });
  });

  it('creates a new StatefulSet with every pod on its revision when no partition is given', async () => {
    const other = { ...t, appName: 'ledger2', namespace: 'cairn-ledger2' };
    expect((await kube.ensureBase(other, [])).ok).toBe(true);
    expect((await kube.ensureRevision(other, r1, 2)).ok).toBe(true);
    const o = await observeUntil(kube, other, (o) => readyOf(o, 1) === 2);
    expect(o.revisions).toEqual([{ number: 1, desired: 2, current: 2, ready: 2, workload: 'ledger2-production' }]);
    expect(o.statefulSet).toMatchObject({ replicas: 2, partition: 0 });
  });

  it('scales the StatefulSet', async () => {
    expect((await kube.scaleRevision(t, 2, 1)).ok).toBe(true);
    const o = await observeUntil(kube, t, (o) => liveOf(o, 2) === 1);
    expect(o.instances.filter((i) => !i.terminating).map((i) => i.name)).toEqual(['ledger-production-0']);
  });

  it('rolls a broken pod back by lowering the partition on the previous template', async () => {
    const b = { ...t, appName: 'ledger3', namespace: 'cairn-ledger3' };
    expect((await kube.ensureBase(b, s1.ports)).ok).toBe(true);
    expect((await kube.ensureRevision(b, r1, 3)).ok).toBe(true);
    await observeUntil(kube, b, (o) => readyOf(o, 1) === 3);
    // A broken revision reaches the highest ordinal, which cannot pull its image.
    expect((await kube.ensureRevision(b, { number: 2, image: 'nginx:no-such-tag', settings: s2 }, 3)).ok).toBe(true);
    expect((await kube.setPartition(b, 2)).ok).toBe(true);
    let o = await observeUntil(kube, b, (o) => o.instances.some((i) => i.failure?.reason === 'IMAGE_PULL'));
    expect(o.instances.find((i) => i.failure)?.name).toBe('ledger3-production-2');
    // Rollback: the previous template with the partition at replicas, then lowered.
    expect((await kube.ensureRevision(b, r1, 3, { partition: 3 })).ok).toBe(true);
    expect((await kube.setPartition(b, 2)).ok).toBe(true);
    o = await observeUntil(kube, b, (o) => readyOf(o, 1) === 3 && liveOf(o, 2) === 0);
    expect(o.instances.every((i) => i.failure === null)).toBe(true);
    expect(o.statefulSet).toMatchObject({ revision: 1, partition: 2 });
  });
});
