/**
 * Conformance with kube-apiserver and kube-controller-manager v1.20.2 on what the upstream e2e
 * suite needs before its first spec (issue: the suite cannot start): protobuf request bodies (the
 * client-go default of the suite), ReplicationControllers with their controller, the `default`
 * ServiceAccount of every namespace with its token Secret, the `default/kubernetes` Service and
 * Endpoints, and versions a real cluster could report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';
import { KUBERNETES_VERSION } from '../../../src/sandbox/apiserver/discovery.js';
import { kubeletVersion } from '../../../src/sandbox/node/node-object.js';
import { serviceEnv } from '../../../src/sandbox/node/environment.js';
import { decodeKubernetesProtobuf, goDuration } from '../../../src/sandbox/apiserver/protobuf.js';
import { bytes, envelope, msg, num, varint } from './protobuf-writer.js';

let cluster: SandboxCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

async function until<T>(what: string, f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('protobuf request bodies', () => {
  it('decodes the envelope, maps, pointer zeros, int-or-string, quantities and times', () => {
    // apps/v1 Deployment: metadata{name, labels}, spec{replicas: 0 (a pointer: kept), minReadySeconds: 0 (omitted),
    // strategy{rollingUpdate{maxSurge: "50%", maxUnavailable: 0}}, template{spec{containers[{name, image, resources}]}}}.
    const objectMeta = Buffer.concat([bytes(1, 'web'), msg(11, bytes(1, 'app'), bytes(2, 'web')), msg(8, num(1, 1_600_000_000), num(2, 0))]);
    const container = Buffer.concat([bytes(1, 'app'), bytes(2, 'nginx:1.14-alpine'), msg(8, msg(1, bytes(1, 'cpu'), msg(2, bytes(1, '100m'))))]);
    const intStr = (s: string | number) => (typeof s === 'string' ? Buffer.concat([num(1, 1), bytes(3, s)]) : Buffer.concat([num(1, 0), num(2, s)]));
    const spec = Buffer.concat([
      num(1, 0),
      num(5, 0),
      msg(4, bytes(1, 'RollingUpdate'), msg(2, msg(1, intStr(0)), msg(2, intStr('50%')))),
      msg(3, msg(1, msg(11, bytes(1, 'app'), bytes(2, 'web'))), msg(2, msg(2, container), num(4, -1n))),
    ]);
    const obj = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', Buffer.concat([msg(1, objectMeta), msg(2, spec)])));
    expect(obj).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: '2020-09-13T12:26:40Z' },
      spec: {
        replicas: 0,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '50%' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'app', image: 'nginx:1.14-alpine', resources: { limits: { cpu: '100m' } } }], terminationGracePeriodSeconds: -1 },
        },
      },
    });
  });

  it('DeleteOptions of any group version: gracePeriodSeconds 0 is kept', () => {
    expect(decodeKubernetesProtobuf(envelope('v1', 'DeleteOptions', num(1, 0)))).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
    // A zero time (an empty message) is left out, as Go's JSON writes it null.
    expect(decodeKubernetesProtobuf(envelope('v1', 'Namespace', msg(1, bytes(1, 'x'), msg(8))))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
  });

  it('Go durations', () => {
    expect([0n, 1500n, 300_000_000n, 90_000_000_000n, 3_723_000_000_000n].map(goDuration)).toEqual(['0s', '1.5µs', '300ms', '1m30s', '1h2m3s']);
  });

  it('the API server creates from a protobuf body, and answers 400 for bytes that are not one', async () => {
    cluster = await startSandboxCluster({ name: 'pb', nodeAgent: false });
    const post = (body: Buffer) =>
      fetch(`${cluster!.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' }, body: new Uint8Array(body) });
    const ok = await post(envelope('v1', 'Namespace', msg(1, bytes(1, 'from-protobuf'))));
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as { metadata: { name: string } }).metadata.name).toBe('from-protobuf');
    const bad = await post(Buffer.from('{"kind":"Namespace"}'));
    expect(bad.status).toBe(400);
  });
});

describe('the objects every namespace and cluster has', () => {
  it('ReplicationControllers: defaulted selector, pods created and owned, status, scale', async () => {
    cluster = await startSandboxCluster({ name: 'rc', nodeAgent: false });
    const { store } = cluster;
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rc' } });
    const rc = store.create('/replicationcontrollers', {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'web', namespace: 'rc' },
      spec: { replicas: 2, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.14-alpine' }] } } },
    });
    expect((rc.spec as { selector: unknown }).selector).toEqual({ app: 'web' });
    expect(rc.metadata.labels).toEqual({ app: 'web' });
    const pods = await until('two pods', () => {
      const items = store.list('/pods', { namespace: 'rc' }).items;
      return items.length === 2 ? items : undefined;
    });
    expect(pods[0]!.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    await until('status.replicas 2', () => (store.get('/replicationcontrollers', 'rc', 'web')!.status as { replicas?: number }).replicas === 2);
    const scale = (await (await fetch(`${cluster.url}/api/v1/namespaces/rc/replicationcontrollers/web/scale`)).json()) as { status: { selector: string } };
    expect(scale.status.selector).toBe('app=web');
  });

  it('the default ServiceAccount with its token Secret in every namespace; the kubernetes Service and Endpoints', async () => {
    cluster = await startSandboxCluster({ name: 'sa', nodeAgent: false });
    const { store } = cluster;
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    const sa = await until('the default account', () => {
      const a = store.get('/serviceaccounts', 'team', 'default') as { secrets?: { name: string }[] } | undefined;
      return a?.secrets?.length ? a : undefined;
    });
    const secret = store.get('/secrets', 'team', sa.secrets![0]!.name) as { type?: string; data?: Record<string, string> };
    expect(secret.type).toBe('kubernetes.io/service-account-token');
    expect(Object.keys(secret.data ?? {}).sort()).toEqual(['ca.crt', 'namespace', 'token']);
    const svc = await until('the kubernetes service', () => store.get('/services', 'default', 'kubernetes'));
    expect((svc.spec as { clusterIP: string }).clusterIP).toBe('10.96.0.1');
    expect(store.get('/endpoints', 'default', 'kubernetes')).toBeDefined();
    // Kubelets report the API server's version, never a newer one.
    expect(kubeletVersion).toBe(KUBERNETES_VERSION.gitVersion);
    // Deleted, it comes back.
    store.delete('/services', 'default', 'kubernetes');
    await until('the kubernetes service again', () => store.get('/services', 'default', 'kubernetes'));
  });
});

describe('service environment variables', () => {
  it('as the kubelet makes them (envvars.FromServices); none for a headless service', () => {
    expect(
      serviceEnv([
        { name: 'fooservice', clusterIP: '10.96.1.2', ports: [{ port: 8765, protocol: 'TCP' }] },
        { name: 'web-api', clusterIP: '10.96.1.3', ports: [{ name: 'http', port: 80 }, { name: 'dns-udp', port: 53, protocol: 'UDP' }] },
        { name: 'headless', clusterIP: 'None', ports: [{ port: 80 }] },
      ]),
    ).toEqual({
      FOOSERVICE_SERVICE_HOST: '10.96.1.2',
      FOOSERVICE_SERVICE_PORT: '8765',
      FOOSERVICE_PORT: 'tcp://10.96.1.2:8765',
      FOOSERVICE_PORT_8765_TCP: 'tcp://10.96.1.2:8765',
      FOOSERVICE_PORT_8765_TCP_PROTO: 'tcp',
      FOOSERVICE_PORT_8765_TCP_PORT: '8765',
      FOOSERVICE_PORT_8765_TCP_ADDR: '10.96.1.2',
      WEB_API_SERVICE_HOST: '10.96.1.3',
      WEB_API_SERVICE_PORT: '80',
      WEB_API_SERVICE_PORT_HTTP: '80',
      WEB_API_SERVICE_PORT_DNS_UDP: '53',
      WEB_API_PORT: 'tcp://10.96.1.3:80',
      WEB_API_PORT_80_TCP: 'tcp://10.96.1.3:80',
      WEB_API_PORT_80_TCP_PROTO: 'tcp',
      WEB_API_PORT_80_TCP_PORT: '80',
      WEB_API_PORT_80_TCP_ADDR: '10.96.1.3',
      WEB_API_PORT_53_UDP: 'udp://10.96.1.3:53',
      WEB_API_PORT_53_UDP_PROTO: 'udp',
      WEB_API_PORT_53_UDP_PORT: '53',
      WEB_API_PORT_53_UDP_ADDR: '10.96.1.3',
    });
  });
});
