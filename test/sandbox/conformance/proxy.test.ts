/**
 * pods/proxy and nodes/proxy (issue: both answered 404). The ReplicaSet spec "should serve a basic
 * image on each replica" GETs `pods/NAME/proxy` and expects the agnhost serve-hostname answer, the
 * pod's name; kube-apiserver first redirects that path to `…/proxy/` (301) and the client follows.
 * The e2e framework's failure dumps read the kubelet's pod list through `nodes/NAME:10250/proxy/pods`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastCluster, status, waitForPod, type TestCluster } from '../node/helpers.js';

let t: TestCluster;
const get = (path: string, init: RequestInit = {}) => fetch(`${t.cluster.url}${path}`, init);
const pods = '/api/v1/namespaces/default/pods';

beforeAll(async () => {
  t = await fastCluster(100);
  const agnhost = (name: string, args: string[], ports: number[] = []) =>
    t.core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name }, spec: { containers: [{ name: 'agnhost', image: 'k8s.gcr.io/e2e-test-images/agnhost:2.21', args, ports: ports.map((containerPort) => ({ containerPort })) }] } },
    });
  await agnhost('hostname', ['serve-hostname'], [9376]);
  await agnhost('netexec', ['netexec', '--http-port=8080']);
  await agnhost('liveness', ['liveness']);
  await t.core.createNamespacedPod({
    namespace: 'default',
    body: { metadata: { name: 'unschedulable' }, spec: { nodeSelector: { nowhere: 'true' }, containers: [{ name: 'c', image: 'busybox:1.29' }] } },
  });
  for (const name of ['hostname', 'netexec', 'liveness']) await waitForPod(t, name, (p) => Boolean(status(p)?.state?.running) && Boolean(p.status?.podIP));
});
afterAll(() => t.stop());

describe('pods/proxy', () => {
  it('redirects the bare location to …/proxy/, then reaches the first declared port', async () => {
    const bare = await get(`${pods}/hostname/proxy`, { redirect: 'manual' });
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe(`${pods}/hostname/proxy/`);
    const followed = await get(`${pods}/hostname/proxy`);
    expect(followed.status).toBe(200);
    expect(await followed.text()).toBe('hostname');
    expect(await (await get(`${pods}/hostname:9376/proxy/`)).text()).toBe('hostname');
  });

  it('passes the path and query to the named port, and rewrites a same-host redirect through the proxy', async () => {
    expect(await (await get(`${pods}/netexec:8080/proxy/echo?msg=hello`)).text()).toBe('hello');
    expect(await (await get(`${pods}/http:netexec:8080/proxy/hostname`)).text()).toBe('netexec');
    const redirect = await get(`${pods}/liveness:8080/proxy/redirect?loc=%2Fhealthz`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe(`${pods}/liveness:8080/proxy/healthz`);
    const post = await get(`${pods}/netexec:8080/proxy/echo?msg=posted`, { method: 'POST', body: 'x' });
    expect(await post.text()).toBe('posted');
  });

  it('answers as kube-apiserver when it cannot: nothing listening, no pod IP, no pod, a bad name', async () => {
    const pod = await t.core.readNamespacedPod({ name: 'hostname', namespace: 'default' });
    const refused = await get(`${pods}/hostname:1234/proxy/`);
    expect(refused.status).toBe(500);
    const body = await refused.json();
    expect(body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `error trying to reach service: dial tcp ${pod.status!.podIP}:1234: connect: connection refused`, code: 500 });
    expect(await (await get(`${pods}/unschedulable/proxy/`)).json()).toMatchObject({ code: 400, reason: 'BadRequest', message: 'address not allowed' });
    expect(await (await get(`${pods}/nope:80/proxy/`)).json()).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "nope" not found' });
    expect(await (await get(`${pods}/a:b:c:d/proxy/`)).json()).toMatchObject({ code: 400, message: 'invalid pod request "a:b:c:d"' });
  });
});

describe('nodes/proxy', () => {
  it("reaches the kubelet's endpoints by node name or at its port; another port is refused", async () => {
    const list = (await (await get(`/api/v1/nodes/${t.node}:10250/proxy/pods`)).json()) as { kind: string; items: { metadata: { name: string } }[] };
    expect(list.kind).toBe('PodList');
    expect(list.items.map((p) => p.metadata.name).sort()).toEqual(['hostname', 'liveness', 'netexec']);
    expect(await (await get(`/api/v1/nodes/${t.node}/proxy/healthz`)).text()).toBe('ok');
    expect(await (await get(`/api/v1/nodes/${t.node}/proxy/metrics`)).text()).toContain('kubelet_running_pods 3');
    const summary = (await (await get(`/api/v1/nodes/${t.node}/proxy/stats/summary`)).json()) as { node: { nodeName: string }; pods: unknown[] };
    expect(summary.node.nodeName).toBe(t.node);
    expect(summary.pods).toHaveLength(3);
    expect((await get(`/api/v1/nodes/${t.node}/proxy/nothing`)).status).toBe(404);
    expect((await get(`/api/v1/nodes/${t.node}:4194/proxy/`)).status).toBe(500);
    expect(await (await get('/api/v1/nodes/none/proxy/pods')).json()).toMatchObject({ code: 404, message: 'nodes "none" not found' });
  });

  it('discovery lists pods/proxy and nodes/proxy', async () => {
    const doc = (await (await get('/api/v1')).json()) as { resources: { name: string; kind: string }[] };
    expect(doc.resources.filter((r) => r.name.endsWith('/proxy'))).toEqual([
      expect.objectContaining({ name: 'nodes/proxy', kind: 'NodeProxyOptions' }),
      expect.objectContaining({ name: 'pods/proxy', kind: 'PodProxyOptions' }),
    ]);
  });
});
