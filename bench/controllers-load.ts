/**
 * How long the sandbox controllers take to make 30 Deployments of 10 replicas available on 10
 * nodes (300 pods), with an instant kubelet. A figure to watch for accidental quadratic work;
 * test/sandbox/controllers/load.test.ts checks the outcome (every pod available, spread evenly).
 *
 *   npx tsx bench/controllers-load.ts        (add RUNS=5 for more runs)
 */
import { deployment, DEPLOYMENTS, node, startHarness } from '../test/sandbox/controllers/harness.js';

const runs = Number(process.env.RUNS ?? 3);
for (let run = 1; run <= runs; run++) {
  const h = startHarness({ nodes: Array.from({ length: 10 }, (_, i) => node(`node-${i}`, { cpu: '32', memory: '64Gi' })) });
  h.autoKubelet();
  const started = performance.now();
  for (let i = 0; i < 30; i++) h.store.create(DEPLOYMENTS, deployment(`app-${i}`, { replicas: 10 }));
  await h.until(() => h.store.list(DEPLOYMENTS).items.every((d) => (d.status as any)?.availableReplicas === 10), 'all available', 120_000);
  console.log(`run ${run}: 300 pods available in ${Math.round(performance.now() - started)} ms`);
  h.stop();
}
