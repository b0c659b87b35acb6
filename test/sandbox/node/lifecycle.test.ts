/** Node registration, a healthy pod's status, logs, exec, and deletion — through client-node against a sandbox cluster. */
import { PassThrough, Writable } from 'node:stream';
import { CoordinationV1Api, Exec, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { condition, fastCluster, status, waitForEvent, waitForPod, waitForPodGone, type TestCluster } from './helpers.js';

let t: TestCluster;
beforeAll(async () => {
  t = await fastCluster(100);
});
afterAll(async () => {
  await t?.stop();
});

async function exec(pod: string, command: string[]): Promise<{ stdout: string; stderr: string; status: V1Status }> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write: (c, _e, cb) => ((stdout += c.toString()), cb()) });
  const err = new Writable({ write: (c, _e, cb) => ((stderr += c.toString()), cb()) });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(t.kc).exec('default', pod, 'app', command, out, err, null, false, (s) => resolve(s)).catch(reject);
  });
  return { stdout, stderr, status };
}

describe('nodes', () => {
  it('registers Ready nodes with capacity, addresses and node info, and keeps a Lease', async () => {
    const node = await t.core.readNode({ name: t.node });
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    for (const type of ['MemoryPressure', 'DiskPressure', 'PIDPressure']) expect(node.status?.conditions?.find((c) => c.type === type)?.status).toBe('False');
    expect(node.status?.capacity).toMatchObject({ cpu: '4', memory: '8388608Ki', pods: '110' });
    expect(node.status?.addresses).toEqual([
      { type: 'InternalIP', address: '10.0.0.10' },
      { type: 'Hostname', address: t.node },
    ]);
    expect(node.status?.nodeInfo?.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(node.status?.daemonEndpoints?.kubeletEndpoint?.Port).toBe(10250);
    const lease = await t.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name: t.node, namespace: 'kube-node-lease' });
    expect(lease.spec?.holderIdentity).toBe(t.node);
    expect(lease.spec?.leaseDurationSeconds).toBe(40);
  });
});

describe('a healthy pod', () => {
  const name = 'web';
  beforeAll(async () => {
    await t.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'web-config' }, data: { 'app.yaml': 'greeting: hi\n', MODE: 'prod' } } });
    await t.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'web-secret' }, stringData: { PASSWORD: 's3cret' } } });
    await t.core.createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name, labels: { app: 'web' } },
        spec: {
          nodeName: t.node,
          containers: [
            {
              name: 'app',
              image: 'cairn/demo:v1',
              ports: [{ name: 'http', containerPort: 8080 }],
              env: [
                { name: 'GREETING', value: 'hello' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'web-secret', key: 'PASSWORD' } } },
              ],
              envFrom: [{ configMapRef: { name: 'web-config' }, prefix: 'CFG_' }],
              volumeMounts: [
                { name: 'config', mountPath: '/etc/demo' },
                { name: 'config', mountPath: '/app/config.yaml', subPath: 'app.yaml' },
              ],
              readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 },
              lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 2'] } } },
            },
          ],
          volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
        },
      },
    });
  });

  it('goes Pending → Running and Ready with the kubelet-owned status fields', async () => {
    const p = await waitForPod(t, name, (p) => condition(p, 'Ready')?.status === 'True');
    expect(p.status?.phase).toBe('Running');
    expect(p.status?.podIP).toMatch(/^10\.1\.0\.\d+$/);
    expect(p.status?.hostIP).toBe('10.0.0.10');
    expect(p.status?.startTime).toBeDefined();
    for (const type of ['Initialized', 'ContainersReady', 'PodScheduled']) expect(condition(p, type)?.status).toBe('True');
    const s = status(p)!;
    expect(s).toMatchObject({ name: 'app', ready: true, started: true, restartCount: 0, image: 'docker.io/cairn/demo:v1' });
    expect(s.imageID).toMatch(/^docker-pullable:\/\/docker\.io\/cairn\/demo@sha256:[0-9a-f]{64}$/);
    expect(s.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(s.state?.running?.startedAt).toBeDefined();
    await waitForEvent(t, name, 'Pulled', 'Successfully pulled image "cairn/demo:v1" in 1.2s');
    await waitForEvent(t, name, 'Created', 'Created container: app');
    await waitForEvent(t, name, 'Started', 'Started container app');
  });

  it('serves logs with timestamps', async () => {
    await waitForPod(t, name, (p) => status(p)?.ready === true);
    const log = await t.core.readNamespacedPodLog({ name, namespace: 'default', container: 'app', timestamps: true });
    expect(log).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z level=info msg="starting demo"/m);
    expect(log).toContain('msg="listening" addr=:8080');
    const tail = await t.core.readNamespacedPodLog({ name, namespace: 'default', tailLines: 1 });
    expect(tail.trimEnd().split('\n')).toHaveLength(1);
  });

  it('exec shows env from env, envFrom, field and secret refs', async () => {
    const r = await exec(name, ['env']);
    const env = r.stdout.split('\n');
    expect(env).toEqual(expect.arrayContaining(['GREETING=hello', `POD_NAME=${name}`, 'PASSWORD=s3cret', 'CFG_MODE=prod', `HOSTNAME=${name}`]));
    expect(r.status.status).toBe('Success');
  });

  it('exec sees ConfigMap volume files, subPath mounts and the image files', async () => {
    expect((await exec(name, ['cat', '/etc/demo/app.yaml'])).stdout).toBe('greeting: hi\n');
    expect((await exec(name, ['cat', '/app/config.yaml'])).stdout).toBe('greeting: hi\n');
    expect((await exec(name, ['ls', '/etc/demo'])).stdout).toBe('MODE\napp.yaml\n');
    expect((await exec(name, ['sh', '-c', 'cat /etc/os-release | grep -q Alpine && echo alpine'])).stdout).toBe('alpine\n');
  });

  it('exec curl reaches the simulated app, and a closed port is refused', async () => {
    expect((await exec(name, ['curl', '-s', 'http://localhost:8080/healthz'])).stdout).toBe('ok\n');
    const refused = await exec(name, ['sh', '-c', 'curl http://localhost:9999/']);
    expect(refused.stderr).toBe('curl: (7) Failed to connect to localhost port 9999: Connection refused\n');
    expect(refused.status.status).toBe('Failure');
    expect(JSON.stringify(refused.status)).toContain('"7"');
  });

  it('exec of an unknown command exits 127 with "not found"', async () => {
    const r = await exec(name, ['sh', '-c', 'frobnicate']);
    expect(r.stderr).toBe('sh: frobnicate: not found\n');
    expect(JSON.stringify(r.status)).toContain('"127"');
  });

  it('deletion runs Killing and PreStop within the grace period, then removes the pod', async () => {
    await waitForPod(t, name, (p) => status(p)?.ready === true);
    await t.core.deleteNamespacedPod({ name, namespace: 'default', gracePeriodSeconds: 30 });
    await waitForEvent(t, name, 'Killing', 'Stopping container app');
    await waitForPodGone(t, name);
  });
});

describe('logs of a crashing container', () => {
  it('previous serves the last terminated instance', async () => {
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'crasher' }, spec: { nodeName: t.node, containers: [{ name: 'app', image: 'nodejs:crash' }] } } });
    await waitForPod(t, 'crasher', (p) => (status(p)?.restartCount ?? 0) >= 1);
    const previous = await t.core.readNamespacedPodLog({ name: 'crasher', namespace: 'default', previous: true });
    expect(previous).toContain('> node /acs/code/server.js');
    expect(previous).toContain('Process exited with status 1');
  });

  it('follow streams until the container stops', async () => {
    await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'follower' }, spec: { nodeName: t.node, containers: [{ name: 'app', image: 'cairn/demo:crash-later' }] } } });
    await waitForPod(t, 'follower', (p) => Boolean(status(p)?.state?.running));
    const { Log } = await import('@kubernetes/client-node');
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (c) => (text += c.toString()));
    await new Promise<void>((resolve, reject) => {
      new Log(t.kc).log('default', 'follower', 'app', stream, { follow: true }).catch(reject);
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
    });
    expect(text).toContain('msg="listening"');
    expect(text).toContain('Process exited with status 1');
  });
});
