/**
 * The node agent's kubelet port (`kubeletServer: true`), spoken to as kube-apiserver speaks to a
 * kubelet: HTTPS on the node's InternalIP and daemonEndpoints port, `GET /containerLogs/…` and an
 * upgraded `/exec/…?command=…&output=1&error=1` (the API server's PodExecOptions, forwarded as
 * input/output/error/tty) in a remotecommand channel protocol.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { Agent, request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';
import { startNodeAgent, type NodeAgent } from '../../../src/sandbox/node/index.js';
import { status, waitForPod, type TestCluster } from './helpers.js';

let cluster: SandboxCluster;
let agent: NodeAgent;
let t: TestCluster;
let base: string;
const insecure = new Agent({ rejectUnauthorized: false });

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kport', speed: 100, nodeAgent: false });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  t = { cluster, kc, core: kc.makeApiClient(CoreV1Api), node: 'port-a', stop: async () => {} };
  agent = await startNodeAgent({ kubeconfig: cluster.kubeconfig, clusterName: 'kport', nodes: [{ name: 'port-a' }], clock: cluster.clock, kubeletServer: true });
  const node = await t.core.readNode({ name: 'port-a' });
  const ip = node.status!.addresses!.find((a) => a.type === 'InternalIP')!.address;
  base = `https://${ip}:${(node.status!.daemonEndpoints!.kubeletEndpoint as unknown as { Port: number }).Port}`;
  await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { nodeName: 'port-a', containers: [{ name: 'app', image: 'cairn/demo:v2', env: [{ name: 'GREETING', value: 'hi' }] }] } } });
  await waitForPod(t, 'web', (p) => Boolean(status(p)?.state?.running));
});
afterAll(async () => {
  await agent?.stop();
  await cluster?.stop();
});

function get(path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { agent: insecure }, (res) => {
      let body = '';
      res.on('data', (c) => (body += String(c)));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

function exec(path: string): Promise<{ stdout: string; status: { status: string; details?: { causes?: { message: string }[] } } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('https', 'wss')}${path}`, ['v4.channel.k8s.io'], { rejectUnauthorized: false });
    let stdout = '';
    let status: any;
    ws.on('message', (data: Buffer) => {
      if (data[0] === 1) stdout += data.subarray(1).toString();
      if (data[0] === 3) status = JSON.parse(data.subarray(1).toString());
    });
    ws.on('close', () => resolve({ stdout, status }));
    ws.on('error', reject);
  });
}

describe('the kubelet port', () => {
  it('is published in the Node: InternalIP 127.0.0.1 and the port in daemonEndpoints', () => {
    expect(base).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(base).not.toMatch(/:10250$/);
  });

  it('serves a container log, with tailLines', async () => {
    const all = await get('/containerLogs/default/web/app');
    expect(all.code).toBe(200);
    const lines = all.body.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1);
    // The container goes on writing: its last line then is the tail, or a line written after the full read.
    const tail = await get('/containerLogs/default/web/app?tailLines=1');
    expect(tail.body.endsWith('\n') && tail.body.split('\n').length).toBe(2);
    const later = (await get('/containerLogs/default/web/app')).body.trimEnd().split('\n');
    expect(later.slice(lines.length - 1)).toContain(tail.body.trimEnd());
  });

  it('answers errors as the kubelet does: the code and a plain-text message', async () => {
    const r = await get('/containerLogs/default/web/nope');
    expect(r.code).toBe(400);
    expect(r.body).toBe('container nope is not valid for pod web\n');
    expect((await get('/nothing')).code).toBe(404);
    expect(await get('/healthz')).toMatchObject({ code: 200, body: 'ok' });
  });

  it('runs exec with the flags the API server forwards (output, error), and reports the exit code on channel 3', async () => {
    const ok = await exec('/exec/default/web/app?command=env&output=1&error=1');
    expect(ok.stdout).toContain('GREETING=hi');
    expect(ok.status.status).toBe('Success');
    const failed = await exec(`/exec/default/web/app?command=sh&command=-c&command=${encodeURIComponent('exit 3')}&output=1&error=1`);
    expect(failed.status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
  });
});
