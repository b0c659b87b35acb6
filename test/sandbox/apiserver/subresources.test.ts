import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiException, AppsV1Api, CoreV1Api, Exec, Log, PatchStrategy, setHeaderOptions, type V1Status } from '@kubernetes/client-node';
import { deployment, pod, startServer, type TestServer } from './helpers.js';
import { FakeKubelet } from './fake-kubelet.js';

let s: TestServer;
let core: CoreV1Api;
let apps: AppsV1Api;
const kubelet = new FakeKubelet();
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

beforeAll(async () => {
  s = await startServer();
  core = s.kc.makeApiClient(CoreV1Api);
  apps = s.kc.makeApiClient(AppsV1Api);
  s.api.registerKubelet('node-1', kubelet);
  await core.createNamespace({ body: { metadata: { name: 'sub' } } });
  await core.createNamespacedPod({ namespace: 'sub', body: pod('runner', { spec: { nodeName: 'node-1' } }) as never });
  await core.createNamespacedPod({
    namespace: 'sub',
    body: pod('two', { spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'nginx' }, { name: 'stopped', image: 'nginx' }] } }) as never,
  });
});
afterAll(() => s.close());

const failureOf = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    const e = error as ApiException<string>;
    return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : e.body };
  }
  throw new Error('expected failure');
};

describe('status subresource', () => {
  it('changes only .status through /status, and never .status through the object', async () => {
    await apps.createNamespacedDeployment({ namespace: 'sub', body: deployment('st') });
    const withStatus = await apps.patchNamespacedDeploymentStatus({ name: 'st', namespace: 'sub', body: { status: { replicas: 2, readyReplicas: 1 }, spec: { replicas: 9 } } }, merge);
    expect(withStatus.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect(withStatus.spec?.replicas).toBe(2);
    const read = await apps.readNamespacedDeploymentStatus({ name: 'st', namespace: 'sub' });
    expect(read.status?.readyReplicas).toBe(1);
    const replaced = await apps.replaceNamespacedDeployment({ name: 'st', namespace: 'sub', body: { ...read, status: { replicas: 0 } } });
    expect(replaced.status?.readyReplicas).toBe(1);
    const put = await apps.replaceNamespacedDeploymentStatus({ name: 'st', namespace: 'sub', body: { ...replaced, status: { replicas: 2, readyReplicas: 2, observedGeneration: replaced.metadata!.generation } } });
    expect(put.status?.readyReplicas).toBe(2);
  });
});

describe('scale subresource', () => {
  it('reads and writes replicas as an autoscaling/v1 Scale', async () => {
    await apps.createNamespacedDeployment({ namespace: 'sub', body: deployment('sc', 2) });
    const scale = await apps.readNamespacedDeploymentScale({ name: 'sc', namespace: 'sub' });
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 2 }, status: { replicas: 0, selector: 'app=sc' } });
    const put = await apps.replaceNamespacedDeploymentScale({ name: 'sc', namespace: 'sub', body: { ...scale, spec: { replicas: 4 } } });
    expect(put.spec?.replicas).toBe(4);
    const patched = await apps.patchNamespacedDeploymentScale({ name: 'sc', namespace: 'sub', body: { spec: { replicas: 5 } } }, merge);
    expect(patched.spec?.replicas).toBe(5);
    const d = await apps.readNamespacedDeployment({ name: 'sc', namespace: 'sub' });
    expect(d.spec?.replicas).toBe(5);
    expect(d.metadata?.generation).toBe(3);
    const stale = await failureOf(apps.replaceNamespacedDeploymentScale({ name: 'sc', namespace: 'sub', body: { ...scale, spec: { replicas: 1 } } }));
    expect(stale).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    const negative = await failureOf(apps.patchNamespacedDeploymentScale({ name: 'sc', namespace: 'sub', body: { spec: { replicas: -1 } } }, merge));
    expect(negative).toMatchObject({ code: 422, body: { reason: 'Invalid' } });
  });

  it('serves scale for statefulsets and replicasets, not for pods', async () => {
    const sts = await (await s.request('/apis/apps/v1/namespaces/sub/statefulsets/none/scale')).json();
    expect(sts).toMatchObject({ code: 404, message: 'statefulsets.apps "none" not found' });
    const podScale = await s.request('/api/v1/namespaces/sub/pods/runner/scale');
    expect(podScale.status).toBe(404);
  });
});

describe('pods/binding', () => {
  it('binds a pod to a node once, as the scheduler does', async () => {
    await core.createNamespacedPod({ namespace: 'sub', body: pod('unbound') as never });
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'unbound', namespace: 'sub' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-2' } };
    const res = await s.request('/api/v1/namespaces/sub/pods/unbound/binding', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(binding) });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    const bound = await core.readNamespacedPod({ name: 'unbound', namespace: 'sub' });
    expect(bound.spec?.nodeName).toBe('node-2');
    expect(bound.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'PodScheduled', status: 'True' })]));
    const again = await failureOf(core.createNamespacedPodBinding({ name: 'unbound', namespace: 'sub', body: binding as never }));
    expect(again).toMatchObject({ code: 409, body: { reason: 'Conflict' } });
    expect(again.body.message).toBe('Operation cannot be fulfilled on pods/binding "unbound": pod unbound is already assigned to node "node-2"');
  });

  it('binds through the older namespaces/NS/bindings resource too', async () => {
    await core.createNamespacedPod({ namespace: 'sub', body: pod('old-style') as never });
    await core.createNamespacedBinding({ namespace: 'sub', body: { metadata: { name: 'old-style' }, target: { kind: 'Node', name: 'node-3' } } });
    expect((await core.readNamespacedPod({ name: 'old-style', namespace: 'sub' })).spec?.nodeName).toBe('node-3');
  });
});

describe('pods/eviction', () => {
  it('evicts a pod with a policy/v1 Eviction, as kubectl drain does', async () => {
    await core.createNamespacedPod({ namespace: 'sub', body: pod('evictee') as never });
    const res = await s.request('/api/v1/namespaces/sub/pods/evictee/eviction', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'evictee', namespace: 'sub' } }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(s.store.get('/pods', 'sub', 'evictee')).toBeUndefined();
  });
});

describe('pods/log', () => {
  it('returns the container log as text with tailLines and timestamps', async () => {
    const res = await s.request('/api/v1/namespaces/sub/pods/runner/log?tailLines=2&timestamps=true');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(await res.text()).toBe('2026-01-01T00:00:01.000000001Z listening on 8080\n2026-01-01T00:00:02.000000001Z ready\n');
    expect(kubelet.logCalls.at(-1)).toMatchObject({ namespace: 'sub', pod: 'runner', options: { container: 'app', tailLines: 2, timestamps: true } });
    const limited = await s.request('/api/v1/namespaces/sub/pods/runner/log?limitBytes=5');
    expect(await limited.text()).toBe('start');
  });

  it('follows the log through client-node until aborted', async () => {
    const out = new PassThrough();
    let text = '';
    const seen = new Promise<void>((resolve) =>
      out.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('later line')) resolve();
      }),
    );
    const controller = await new Log(s.kc).log('sub', 'runner', 'app', out, { follow: true });
    await new Promise<void>((resolve) => out.once('data', () => resolve()));
    kubelet.emit('later line');
    await seen;
    expect(text).toContain('starting\nlistening on 8080\nready\n');
    controller.abort();
  });

  it('asks for a container name when a pod has several, and passes kubelet errors on', async () => {
    const res = await s.request('/api/v1/namespaces/sub/pods/two/log');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ reason: 'BadRequest', message: 'a container name must be specified for pod two, choose one of: [app stopped]' });
    const bad = await s.request('/api/v1/namespaces/sub/pods/two/log?container=nope');
    expect((await bad.json()).message).toBe('container nope is not valid for pod two');
    const previous = await s.request('/api/v1/namespaces/sub/pods/runner/log?previous=true');
    expect(previous.status).toBe(400);
    expect((await previous.json()).message).toContain('previous terminated container');
  });
});

describe('pods/exec', () => {
  const sink = () => {
    let text = '';
    const stream = new Writable({
      write(chunk, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    return { stream, text: () => text };
  };

  const run = (podName: string, container: string, command: string[], stdin: NodeJS.ReadableStream | null = null, tty = false) =>
    new Promise<{ status: V1Status; stdout: string; stderr: string }>((resolve, reject) => {
      const out = sink();
      const err = sink();
      new Exec(s.kc)
        .exec('sub', podName, container, command, out.stream, err.stream, stdin as never, tty, (status) => resolve({ status, stdout: out.text(), stderr: err.text() }))
        .catch(reject);
    });

  it('runs a command over WebSocket (v5) and reports Success on channel 3', async () => {
    const result = await run('runner', 'app', ['echo', 'hello', 'world']);
    expect(result.stdout).toBe('hello world\n');
    expect(result.status).toEqual({ metadata: {}, status: 'Success' });
    expect(s.api.counters.requests({ subresource: 'exec' }).at(-1)?.code).toBe(101);
  });

  it('reports a non-zero exit code as NonZeroExitCode with the code as a cause', async () => {
    const result = await run('runner', 'app', ['fail', '3']);
    expect(result.stderr).toBe('failing\n');
    expect(result.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });

  it('passes stdin through and ends it when the client closes it', async () => {
    const stdin = new PassThrough();
    const pending = run('runner', 'app', ['cat'], stdin);
    stdin.write('line one\n');
    stdin.end('line two\n');
    const result = await pending;
    expect(result.stdout).toBe('line one\nline two\n');
    expect(result.status.status).toBe('Success');
  });

  it('speaks v4 binary and base64 channel protocols too', async () => {
    for (const protocol of ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io']) {
      const url = `${s.api.url.replace('http', 'ws')}/api/v1/namespaces/sub/pods/runner/exec?command=echo&command=hi&stdout=true&stderr=true`;
      const ws = new WebSocket(url, [protocol], { headers: { Authorization: `Bearer ${s.token}` } });
      const frames: { channel: number; data: string }[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data: Buffer, isBinary) => {
          if (protocol.includes('base64')) {
            const text = data.toString();
            frames.push({ channel: Number(text[0]), data: Buffer.from(text.slice(1), 'base64').toString() });
            expect(isBinary).toBe(false);
          } else frames.push({ channel: data[0]!, data: data.subarray(1).toString() });
        });
        ws.on('close', () => resolve());
        ws.on('error', reject);
      });
      expect(ws.protocol).toBe(protocol);
      expect(frames[0]).toEqual({ channel: 1, data: '' }); // ready signal
      expect(frames.filter((f) => f.channel === 1).map((f) => f.data).join('')).toBe('hi\n');
      expect(JSON.parse(frames.find((f) => f.channel === 3)!.data)).toEqual({ metadata: {}, status: 'Success' });
    }
  });

  it('forwards terminal resizes on channel 4 with a TTY', async () => {
    const url = `${s.api.url.replace('http', 'ws')}/api/v1/namespaces/sub/pods/runner/exec?command=resize&stdout=true&stdin=true&tty=true`;
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], { headers: { Authorization: `Bearer ${s.token}` } });
    let out = '';
    await new Promise<void>((resolve) => {
      ws.on('open', () => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 120, Height: 40 }))])));
      ws.on('message', (data: Buffer) => {
        if (data[0] === 1) out += data.subarray(1).toString();
      });
      ws.on('close', () => resolve());
    });
    expect(out).toBe('120x40\n');
  });

  it('refuses before upgrading: unknown pod (404), no command (400), unscheduled pod (400), no credentials (401)', async () => {
    const base = `${s.api.url.replace('http', 'ws')}/api/v1/namespaces/sub/pods`;
    const attempt = (url: string, headers: Record<string, string> = { Authorization: `Bearer ${s.token}` }) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(url, ['v5.channel.k8s.io'], { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode!));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
    expect(await attempt(`${base}/ghost/exec?command=ls&stdout=true`)).toBe(404);
    expect(await attempt(`${base}/runner/exec?stdout=true`)).toBe(400);
    await core.createNamespacedPod({ namespace: 'sub', body: pod('pending') as never });
    expect(await attempt(`${base}/pending/exec?command=ls&stdout=true`)).toBe(400);
    expect(await attempt(`${base}/runner/exec?command=ls&stdout=true`, {})).toBe(401);
    const plain = await s.request('/api/v1/namespaces/sub/pods/runner/exec?command=ls&stdout=true');
    expect(plain.status).toBe(400);
    expect((await plain.json()).message).toBe('Upgrade request required');
  });

  it('reports a kubelet refusal on the status channel', async () => {
    const result = await run('two', 'stopped', ['ls']);
    expect(result.status).toMatchObject({ status: 'Failure', message: 'container not found ("stopped")' });
  });
});
