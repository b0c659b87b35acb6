/**
 * The e2e StatefulSet specs clean up by listing and deleting PersistentVolumeClaims in the namespace
 * and PersistentVolumes cluster-wide (framework DeleteAllStatefulSets); with neither served, every
 * StatefulSet spec failed in its AfterEach after two 10-minute waits ("Timeout waiting for pvc
 * deletion"). Both are stored resources now (no binder or provisioner behind them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../apiserver/helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
  await s.request('/api/v1/namespaces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'sts' } }) });
});
afterAll(() => s.close());

describe('PersistentVolumeClaims and PersistentVolumes', () => {
  it('list empty, create, delete', async () => {
    const empty = await (await s.request('/api/v1/namespaces/sts/persistentvolumeclaims')).json();
    expect(empty).toMatchObject({ kind: 'PersistentVolumeClaimList', items: [] });
    expect(await (await s.request('/api/v1/persistentvolumes')).json()).toMatchObject({ kind: 'PersistentVolumeList', items: [] });
    const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'datadir-ss-0' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const created = await s.request('/api/v1/namespaces/sts/persistentvolumeclaims', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(pvc) });
    expect(created.status).toBe(201);
    expect((await s.request('/api/v1/namespaces/sts/persistentvolumeclaims/datadir-ss-0', { method: 'DELETE' })).status).toBe(200);
    expect((await (await s.request('/api/v1/namespaces/sts/persistentvolumeclaims')).json()).items).toEqual([]);
  });
});
