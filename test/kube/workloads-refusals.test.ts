/**
 * What the API server refuses, as the kube layer reports it (with the object and whether it is for
 * good), and the objects a release no longer needs: against a sandbox cluster.
 */
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageReference } from '../../src/domain/image-reference.js';
import { isPermanent } from '../../src/engine/refusal.js';
import type { Workloads } from '../../src/kube/workloads.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { nginxSettings, target, workloadsFor } from './workloads-helpers.js';

let cluster: SandboxCluster;
let kube: Workloads;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-refusals', speed: 100 });
  const w = workloadsFor(cluster.kubeconfig, { retry: { attempts: 2, baseDelayMs: 1 } });
  kube = w.kube;
  core = w.kc.makeApiClient(CoreV1Api);
  apps = w.kc.makeApiClient(AppsV1Api);
});
afterAll(async () => {
  await cluster?.stop();
});

const settings = nginxSettings();
const revision = (number: number) => ({ number, image: imageReference(settings, 'latest')!, settings, releaseOrderId: 'o' });
const serviceNames = async (namespace: string) => (await core.listNamespacedService({ namespace })).items.map((s) => s.metadata!.name!).sort();

describe('Services a release no longer needs', () => {
  it('removing every port deletes the environment\'s Service; mapping one again brings it back', async () => {
    const t = target('ports');
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    expect(await serviceNames(t.namespace)).toEqual(['ports-production']);
    expect(await kube.ensureBase(t, [])).toEqual({ ok: true, value: undefined });
    expect(await serviceNames(t.namespace)).toEqual([]);
    expect((await kube.ensureBase(t, [])).ok).toBe(true); // idempotent
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    expect(await serviceNames(t.namespace)).toEqual(['ports-production']);
  });

  it('a stateful app keeps its headless Service without ports (its pods\' DNS names come from it)', async () => {
    const t = target('stateful-ports', 'STATEFUL');
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    expect(await serviceNames(t.namespace)).toEqual(['stateful-ports-production', 'stateful-ports-production-headless']);
    expect((await kube.ensureBase(t, [])).ok).toBe(true);
    expect(await serviceNames(t.namespace)).toEqual(['stateful-ports-production-headless']);
    const headless = await core.readNamespacedService({ name: 'stateful-ports-production-headless', namespace: t.namespace });
    expect(headless.spec).toMatchObject({ clusterIP: 'None' });
    expect(headless.spec?.ports ?? []).toEqual([]);
  });
});

describe('refusals', () => {
  it('a Deployment of the revision\'s name that runs another image (made by someone else) is refused for good, naming it', async () => {
    const t = target('foreign');
    expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
    await apps.createNamespacedDeployment({
      namespace: t.namespace,
      body: {
        metadata: { name: 'foreign-production-r1' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'foreign' } },
          template: { metadata: { labels: { app: 'foreign' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.0' }] } },
        },
      },
    });
    const r = await kube.ensureRevision(t, revision(1), 2);
    expect(r).toMatchObject({ ok: false, error: { kind: 'Conflict', permanent: true, object: { kind: 'Deployment', namespace: 'cairn-foreign', name: 'foreign-production-r1' } } });
    expect(!r.ok && r.error.message).toMatch(/runs nginx:1.0, not nginx:latest/);
    expect(!r.ok && isPermanent(r.error)).toBe(true);
    expect((await apps.readNamespacedDeployment({ name: 'foreign-production-r1', namespace: t.namespace })).spec?.replicas).toBe(1); // not adopted
  });

  it('a namespace being deleted refuses new objects with 403 Forbidden, for good', async () => {
    const t = target('leaving');
    expect((await kube.ensureBase(t, [])).ok).toBe(true);
    // A ConfigMap with a finalizer holds the namespace in Terminating, as anything not yet cleaned up would.
    await core.createNamespacedConfigMap({ namespace: t.namespace, body: { metadata: { name: 'held', finalizers: ['cairn.dev/test-hold'] } } });
    await core.deleteNamespace({ name: t.namespace });
    const r = await kube.ensureBase(t, settings.ports);
    expect(r).toMatchObject({ ok: false, error: { kind: 'Forbidden', status: 403, reason: 'Forbidden', object: { kind: 'Service', namespace: 'cairn-leaving', name: 'leaving-production' } } });
    expect(!r.ok && r.error.message).toContain('because it is being terminated');
    expect(!r.ok && isPermanent(r.error)).toBe(true);
    await core.patchNamespacedConfigMap({ name: 'held', namespace: t.namespace, body: [{ op: 'remove', path: '/metadata/finalizers' }] });
  });
});
