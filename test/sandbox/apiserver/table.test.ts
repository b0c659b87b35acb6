import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { deployment, pod, startServer, watchEvents, type TestServer } from './helpers.js';
import { humanDuration } from '../../../src/sandbox/apiserver/age.js';

const run = promisify(execFile);
const KUBECTL_TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const hasKubectl = await run('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);

let s: TestServer;
let kubeconfigPath: string;
beforeAll(async () => {
  s = await startServer({ token: '' }); // kubectl sends no credentials to a plain-http server
  const core = s.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 't' } } });
  await core.createNamespacedPod({ namespace: 't', body: pod('web-1', { spec: { nodeName: 'node-1' } }) as never });
  await core.patchNamespacedPodStatus(
    { name: 'web-1', namespace: 't', body: [{ op: 'add', path: '/status', value: { phase: 'Running', podIP: '10.1.0.7', containerStatuses: [{ name: 'app', ready: true, restartCount: 2, image: 'nginx', imageID: '', state: { running: {} } }] } }] },
  );
  await s.kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 't', body: deployment('web', 3) });
  kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'cairn-table-')), 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, s.kubeconfig);
});
afterAll(() => s.close());

describe('Table output for kubectl get', () => {
  it('answers kubectl’s Accept header with a meta.k8s.io/v1 Table of pods', async () => {
    const res = await s.request('/api/v1/namespaces/t/pods', { headers: { Accept: KUBECTL_TABLE_ACCEPT } });
    const table = await res.json();
    expect(table).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    expect(table.metadata.resourceVersion).toBeTruthy();
    expect(table.columnDefinitions.map((c: { name: string }) => c.name)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
    expect(table.columnDefinitions[5].priority).toBe(1);
    expect(table.rows).toHaveLength(1);
    expect(table.rows[0].cells.slice(0, 4)).toEqual(['web-1', '1/1', 'Running', '2']);
    expect(table.rows[0].cells.slice(5, 7)).toEqual(['10.1.0.7', 'node-1']);
    expect(table.rows[0].object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'web-1', namespace: 't' } });

    const full = await (await s.request('/api/v1/namespaces/t/pods/web-1?includeObject=Object', { headers: { Accept: KUBECTL_TABLE_ACCEPT } })).json();
    expect(full.rows[0].object).toMatchObject({ kind: 'Pod', spec: { nodeName: 'node-1' } });
  });

  it('serves plain JSON when the client prefers it', async () => {
    const list = await (await s.request('/api/v1/namespaces/t/pods', { headers: { Accept: 'application/json, application/json;as=Table;v=v1;g=meta.k8s.io' } })).json();
    expect(list.kind).toBe('PodList');
  });

  it('sends Table watch events, with column definitions only in the first', async () => {
    const res = await s.request('/apis/apps/v1/namespaces/t/deployments?watch=true', { headers: { Accept: KUBECTL_TABLE_ACCEPT } });
    const events = watchEvents(res);
    const first = (await events.next()).value!;
    expect(first.type).toBe('ADDED');
    expect(first.object.kind).toBe('Table');
    expect(first.object.columnDefinitions.map((c: { name: string }) => c.name).slice(0, 5)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age']);
    expect(first.object.rows[0].cells.slice(0, 4)).toEqual(['web', '0/3', 0, 0]);
    await s.kc.makeApiClient(AppsV1Api).patchNamespacedDeployment({ name: 'web', namespace: 't', body: [{ op: 'replace', path: '/spec/replicas', value: 4 }] });
    const next = (await events.next()).value!;
    expect(next.type).toBe('MODIFIED');
    expect(next.object.columnDefinitions).toEqual([]);
    expect(next.object.rows[0].cells[1]).toBe('0/4');
    await events.return(undefined);
  });

  it('formats ages the way kubectl does', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(150_000)).toBe('2m30s');
    expect(humanDuration(45 * 60_000)).toBe('45m');
    expect(humanDuration((3 * 60 + 20) * 60_000)).toBe('3h20m');
    expect(humanDuration(30 * 3_600_000)).toBe('30h');
    expect(humanDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3d4h');
    expect(humanDuration(40 * 86_400_000)).toBe('40d');
  });

  it.skipIf(!hasKubectl)('prints kubectl get with the server’s columns', async () => {
    const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kubeconfigPath, ...args]).then((r) => r.stdout);
    const pods = await kubectl('get', 'pods', '-n', 't', '-o', 'wide');
    expect(pods.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(pods.split('\n')[1]).toMatch(/^web-1\s+1\/1\s+Running\s+2\s+\S+\s+10\.1\.0\.7\s+node-1\s/);
    const deploys = await kubectl('get', 'deploy', '-n', 't');
    expect(deploys).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/4\s+0\s+0\s+/);
    const namespaces = await kubectl('get', 'ns');
    expect(namespaces).toMatch(/\nt\s+Active\s+/);
    expect(s.api.counters.requests({ resource: 'pods', verb: 'list' }).at(-1)?.code).toBe(200);
  });
});
