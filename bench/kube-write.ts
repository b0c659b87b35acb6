/**
 * What one of the release engine's writes costs cairn's process: a Deployment scaled (a merge patch of
 * spec.replicas), N times, 10 at a time, against a sandbox cluster in another process — cairn's CPU per call
 * through the generated client-node API (bounded, on the shared keep-alive pool) and through cairn's hot
 * write (src/kube/json-request.ts, what the engine uses), beside the floor: the same PATCH sent by the
 * 300-release floor's bare node:http client (bench/lib/direct-batches.ts `send`), in the same run. Each is run three times, interleaved; the
 * first round includes warming up (the code a fresh cairn meets a burst with).
 *
 *   npx tsx bench/kube-write.ts            (N=4000)
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import { BoundedKubeConfig } from '../src/kube/bounded-kubeconfig.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../src/kube/kube-timeouts.js';
import { clientCache, mergePatch } from '../src/kube/workloads-clients.js';
import { startSandboxCluster } from '../src/sandbox/cluster.js';
import { send } from './lib/direct-batches.js';

const N = Number(process.env.N ?? 4000);
const CONCURRENCY = 10;
const ROUNDS = 3;

async function client(kubeconfig: string): Promise<void> {
  const plain = new KubeConfig();
  plain.loadFromString(kubeconfig);
  const kc = new BoundedKubeConfig(plain, { cluster: 'bench', timeouts: DEFAULT_KUBE_TIMEOUTS });
  const apps = kc.makeApiClient(AppsV1Api);
  const hot = clientCache(() => kc)('bench').hot;
  const deployment = `${plain.getCurrentCluster()!.server}/apis/apps/v1/namespaces/default/deployments/d`;
  // The floor: the 300-release floor's own bare client (node:http on a keep-alive pool).
  const bare = (replicas: number) => send(deployment, 'PATCH', { spec: { replicas } }, 'application/merge-patch+json');
  const ways: [string, (replicas: number) => Promise<unknown>][] = [
    ['client-node (generated API, bounded)', (replicas) => apps.patchNamespacedDeployment({ name: 'd', namespace: 'default', body: { spec: { replicas } } }, mergePatch)],
    ["cairn's hot write (json-request.ts)", (replicas) => hot.scaleDeployment('default', 'd', replicas)],
    ['floor: bare node:http PATCH', bare],
  ];
  const rows: string[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [name, write] of ways) {
      const cpu = process.cpuUsage();
      const started = performance.now();
      await Promise.all(Array.from({ length: CONCURRENCY }, async (_, k) => {
        for (let i = k; i < N; i += CONCURRENCY) await write((i % 5) + 1);
      }));
      const used = process.cpuUsage(cpu);
      rows.push([String(round), name, (((used.user + used.system) / N)).toFixed(0), (((performance.now() - started) * 1000) / N).toFixed(0)]);
    }
  }
  console.log(`${N} scale patches of one Deployment, ${CONCURRENCY} at a time, sandbox in another process; node ${process.version}`);
  console.log(['round', 'path', 'CPU µs a call', 'wall µs a call'].join('\t'));
  for (const row of rows) console.log(row.join('\t'));
}

if (process.argv[2] === 'client') {
  await client(process.argv[3]!);
  process.exit(0);
} else {
  const cluster = await startSandboxCluster({ name: 'bench', speed: 1, nodeAgent: false });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: 'default',
    body: { metadata: { name: 'd' }, spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } },
  });
  const child = fork(fileURLToPath(import.meta.url), ['client', cluster.kubeconfig], { execArgv: ['--import', 'tsx'] });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await cluster.stop();
  process.exit(code ?? 1);
}
