import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, CoreV1Api, KubeConfig, Watch, type V1Deployment } from '@kubernetes/client-node';
import { startSandboxCluster, type SandboxCluster } from '../../../src/sandbox/cluster.js';
import { deployment } from './helpers.js';

const run = promisify(execFile);
const hasKubectl = await run('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);

let cluster: SandboxCluster;
let kc: KubeConfig;
let kubeconfigPath: string;
const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kubeconfigPath, '-n', 'e2e', ...args], { timeout: 20_000 }).then((r) => r.stdout);

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'sandbox-e2e', nodes: 2, speed: 20 });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'cairn-cluster-')), 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, cluster.kubeconfig);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'e2e' } } });
});
afterAll(() => cluster?.stop());

/** Resolves with the deployment once `check` holds, from a watch (no polling). */
function deploymentWhere(name: string, check: (d: V1Deployment) => boolean): Promise<V1Deployment> {
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    let settled = false;
    void new Watch(kc)
      .watch(
        '/apis/apps/v1/namespaces/e2e/deployments',
        { fieldSelector: `metadata.name=${name}` },
        (_type, d: V1Deployment) => {
          if (!settled && check(d)) {
            settled = true;
            controller?.abort();
            resolve(d);
          }
        },
        (err) => (!settled && err?.name !== 'AbortError' ? reject(err ?? new Error('watch ended')) : undefined),
      )
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      });
  });
}

describe('startSandboxCluster', () => {
  it('returns a kubeconfig with one cluster, user and context named after the cluster', () => {
    const doc = JSON.parse(cluster.kubeconfig);
    expect(doc.clusters.map((c: { name: string }) => c.name)).toEqual(['sandbox-e2e']);
    expect(doc.users.map((c: { name: string }) => c.name)).toEqual(['sandbox-e2e']);
    expect(doc.contexts).toEqual([{ name: 'sandbox-e2e', context: { cluster: 'sandbox-e2e', user: 'sandbox-e2e', namespace: 'default' } }]);
    expect(doc['current-context']).toBe('sandbox-e2e');
    expect(doc.clusters[0].cluster.server).toBe(cluster.url);
    expect(kc.getCurrentCluster()?.server).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('starts with the default and kube-system namespaces and Ready nodes', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const namespaces = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(namespaces).toEqual(expect.arrayContaining(['default', 'kube-system']));
    const nodes = await core.listNode();
    expect(nodes.items.length).toBe(2);
  });

  it('rolls a Deployment out to Ready pods, seen through client-node', async () => {
    await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({ namespace: 'e2e', body: deployment('web', 2) });
    const ready = await deploymentWhere('web', (d) => d.status?.readyReplicas === 2 && d.status?.observedGeneration === d.metadata?.generation);
    expect(ready.status?.updatedReplicas).toBe(2);
    const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'e2e', labelSelector: 'app=web' });
    expect(pods.items.map((p) => p.status?.phase)).toEqual(['Running', 'Running']);
  });

  it.skipIf(!hasKubectl)('works with kubectl: rollout status, get, logs, exec', async () => {
    expect(await kubectl('rollout', 'status', 'deployment/web', '--timeout=15s')).toContain('successfully rolled out');
    const pods = await kubectl('get', 'pods', '-l', 'app=web');
    expect(pods.split('\n').filter((l) => /\s1\/1\s+Running\s/.test(l))).toHaveLength(2);
    const name = (await kubectl('get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}')).trim();
    expect(await kubectl('logs', name)).not.toBe('');
    expect(await kubectl('exec', name, '--', 'env')).toContain(`HOSTNAME=${name}`);
    const failed = await kubectl('exec', name, '--', 'sh', '-c', 'exit 3').then(
      () => 0,
      (e: { code?: number }) => e.code,
    );
    expect(failed).toBe(3);
  });

  it.skipIf(!hasKubectl)('streams kubectl get -w', async () => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfigPath, '-n', 'e2e', 'get', 'pods', '-w', '-l', 'app=web']);
    let out = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => pattern.test(out) && resolve();
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          check();
        });
        check();
      });
    try {
      await seen(/^NAME\s+READY\s+STATUS/m);
      await kc.makeApiClient(AppsV1Api).patchNamespacedDeploymentScale({ name: 'web', namespace: 'e2e', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
      await seen(/Pending|ContainerCreating/);
      const lines = out.trim().split('\n');
      expect(lines.length).toBeGreaterThan(3);
    } finally {
      child.kill();
    }
  });

  it('stops: the port refuses connections afterwards', async () => {
    const other = await startSandboxCluster({ name: 'short-lived', nodes: 1, speed: 20 });
    expect((await fetch(`${other.url}/healthz`, { headers: { Connection: 'close' } })).status).toBe(200);
    await other.stop();
    const after = await fetch(`${other.url}/healthz`).then(
      () => 'answered',
      (e: Error & { cause?: { code?: string } }) => e.cause?.code,
    );
    expect(after).toBe('ECONNREFUSED');
  });
});
