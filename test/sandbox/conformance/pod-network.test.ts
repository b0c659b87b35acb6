/**
 * Pod-to-pod requests by IP over the sandbox's simulated pod network, as the Container Lifecycle
 * Hook specs make them (they were on the skip list for want of it): an exec hook that curls the
 * handler pod (agnhost netexec) at its IP, an httpGet hook whose `host` is that IP; the handler pod's
 * log shows `GET /echo?msg=…` for each. Pods on different nodes reach each other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';
import { runScript, VirtualFs, type ShellContext } from '../../../src/sandbox/node/shell.js';

let cluster: SandboxCluster;
let core: CoreV1Api;
const ns = 'default';

async function until<T>(what: string, f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const running = (name: string) =>
  until(`${name} running`, async () => {
    const p = await core.readNamespacedPod({ name, namespace: ns });
    return p.status?.containerStatuses?.[0]?.state?.running && p.status.podIP ? p : undefined;
  });
const handlerLog = () => core.readNamespacedPodLog({ name: 'pod-handle-http-request', namespace: ns, container: 'agnhost-container' });

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'podnet', speed: 100, nodes: 2 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(() => cluster.stop());

describe('the simulated pod network', () => {
  it('an exec hook curls another pod by IP, an httpGet hook with host reaches it too, on any node', async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'pod-handle-http-request' }, spec: { nodeName: 'podnet-node-1', containers: [{ name: 'agnhost-container', image: 'k8s.gcr.io/e2e-test-images/agnhost:2.21', args: ['netexec'], ports: [{ containerPort: 8080 }] }] } },
    });
    const target = (await running('pod-handle-http-request')).status!.podIP!;
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'pod-with-hooks' },
        spec: {
          nodeName: 'podnet-node-2',
          terminationGracePeriodSeconds: 15,
          containers: [
            {
              name: 'hooked',
              image: 'k8s.gcr.io/e2e-test-images/agnhost:2.21',
              lifecycle: {
                postStart: { exec: { command: ['sh', '-c', `curl http://${target}:8080/echo?msg=poststart`] } },
                preStop: { httpGet: { path: '/echo?msg=prestop', host: target, port: 8080 } },
              },
            },
          ],
        },
      },
    });
    await running('pod-with-hooks');
    await until('the poststart request in the handler log', async () => ((await handlerLog()).includes('GET /echo?msg=poststart') ? true : undefined));
    await core.deleteNamespacedPod({ name: 'pod-with-hooks', namespace: ns });
    await until('the prestop request in the handler log', async () => ((await handlerLog()).includes('GET /echo?msg=prestop') ? true : undefined));
  });
});

describe('curl and wget beyond the pod', () => {
  const ctx = (remote: ShellContext['remote']): ShellContext => ({
    env: new Map(),
    fs: new VirtualFs({}, ['/tmp']),
    cwd: '/',
    hostname: 'pod',
    localIPs: ['10.1.0.5'],
    http: async () => ({ kind: 'refused' }),
    remote,
    sleep: async () => {},
  });
  async function sh(c: ShellContext, script: string) {
    let stdout = '';
    let stderr = '';
    const status = await runScript(c, script, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { status, stdout, stderr };
  }

  it('reach a pod IP, fail on an address nothing has, and resolve no names', async () => {
    const c = ctx(async (host, port, _m, path) =>
      host === '10.1.1.7' && port === 8080 ? { kind: 'response', status: 200, headers: {}, body: `hi from ${path}` } : undefined,
    );
    expect(await sh(c, 'curl -s http://10.1.1.7:8080/echo?msg=x')).toEqual({ status: 0, stdout: 'hi from /echo?msg=x', stderr: '' });
    expect(await sh(c, 'curl http://10.1.9.9:8080/')).toMatchObject({ status: 7, stderr: 'curl: (7) Failed to connect to 10.1.9.9 port 8080: No route to host\n' });
    expect(await sh(c, 'curl http://web:8080/')).toMatchObject({ status: 6, stderr: 'curl: (6) Could not resolve host: web\n' });
    expect(await sh(c, 'wget -qO- http://10.1.1.7:8080/a')).toEqual({ status: 0, stdout: 'hi from /a', stderr: '' });
  });
});
