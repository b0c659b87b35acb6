/**
 * What the sandbox itself costs to run pods: N Deployments of R replicas (cairn's demo image with a readiness
 * probe), all created at once on a production-like sandbox cluster, until every pod is Ready — the time, beside
 * its floor measured first in the same run (one Deployment of one replica on the same cluster: a pod's own
 * pull, start and probe), and the CPU of the node agent (the simulated kubelets) and of this process (the API
 * server and controllers), per pod. No cairn: the figures of the benches that run cairn against the sandbox
 * on the same two cores include this cost.
 *
 *   NODE_AGENT=child npx tsx bench/sandbox-pods.ts        (N=100 R=10: 1,000 pods; ~15 s)
 */
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { childAgentsCpuSeconds, childNodeAgent, startPodsCluster } from './lib/sandbox.js';

const N = Number(process.env.N ?? 100);
const R = Number(process.env.R ?? 10);
const TIMEOUT_MS = Number(process.env.TIMEOUT ?? 300) * 1000;

const cluster = await startPodsCluster('sandboxpods', 1, N * R + 1);
const kc = new KubeConfig();
kc.loadFromString(cluster.kubeconfig);
const apps = kc.makeApiClient(AppsV1Api);

const deployment = (name: string, replicas: number) => ({
  metadata: { name, labels: { app: name, batch: 'bench' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, batch: 'bench' } },
      spec: { containers: [{ name: 'app', image: 'cairn/demo:v2', readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }] },
    },
  },
});

/** Polls the Deployments labelled `label` (a small list, every 200 ms) until together they report `count` Ready replicas. */
async function readyWithin(label: string, count: number): Promise<void> {
  const deadline = performance.now() + TIMEOUT_MS;
  for (;;) {
    const list = await apps.listNamespacedDeployment({ namespace: 'default', labelSelector: label });
    if (list.items.reduce((sum, d) => sum + (d.status?.readyReplicas ?? 0), 0) >= count) return;
    if (performance.now() > deadline) throw new Error(`${count} pods with ${label} not Ready within ${TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

try {
  const floorStarted = performance.now();
  await apps.createNamespacedDeployment({ namespace: 'default', body: deployment('alone', 1) });
  await readyWithin('app=alone', 1);
  const floorMs = performance.now() - floorStarted;

  const cpu = process.cpuUsage();
  const agent = childAgentsCpuSeconds();
  const started = performance.now();
  await Promise.all(Array.from({ length: N }, (_, i) => apps.createNamespacedDeployment({ namespace: 'default', body: deployment(`d${i}`, R) })));
  await readyWithin('batch=bench', N * R + 1); // and the floor's one
  const ms = performance.now() - started;
  const own = process.cpuUsage(cpu);
  const agentS = childAgentsCpuSeconds() - agent;
  const ownS = (own.user + own.system) / 1e6;
  const pods = N * R;
  console.log(`${N} Deployments × ${R} replicas (${pods} pods), node ${process.version}, node agent ${childNodeAgent ? 'in a child process' : 'in this process'}`);
  console.log(`every pod Ready ${(ms / 1000).toFixed(2)} s   floor (one pod alone, same cluster) ${(floorMs / 1000).toFixed(2)} s`);
  console.log(`CPU: this process (API server, controllers) ${ownS.toFixed(2)} s = ${((ownS * 1000) / pods).toFixed(2)} ms a pod` + (childNodeAgent ? `; node agent ${agentS.toFixed(2)} s = ${((agentS * 1000) / pods).toFixed(2)} ms a pod` : ' (the node agent included)'));
} finally {
  await cluster.stop();
}
process.exit(0);
