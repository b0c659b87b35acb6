/**
 * `npm run sandbox`: two simulated clusters (sandbox-production, sandbox-test) standalone, with a
 * kubeconfig holding both contexts written to .cairn/sandbox-kubeconfig.yaml for kubectl.
 * CAIRN_SANDBOX_SPEED sets the speed of simulated time (default 1). Ctrl-C stops cleanly.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { startSandboxCluster, type SandboxCluster } from './cluster.js';
import { kubeconfigText } from './apiserver/kubeconfig.js';

const CLUSTERS = ['sandbox-production', 'sandbox-test'];

async function main() {
  const speed = Number(process.env.CAIRN_SANDBOX_SPEED ?? 1);
  if (!(speed > 0)) throw new Error(`CAIRN_SANDBOX_SPEED must be a positive number, got ${process.env.CAIRN_SANDBOX_SPEED}`);
  const path = resolve(process.env.CAIRN_SANDBOX_KUBECONFIG ?? '.cairn/sandbox-kubeconfig.yaml');

  const clusters: SandboxCluster[] = [];
  let stopping = false;
  const stopAll = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the sandbox clusters…`);
    await Promise.all(clusters.map((c) => c.stop()));
    console.log('stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stopAll('SIGINT'));
  process.on('SIGTERM', () => void stopAll('SIGTERM'));

  for (const name of CLUSTERS) clusters.push(await startSandboxCluster({ name, speed }));
  const kubeconfig = kubeconfigText(clusters.map((c) => ({ name: c.name, url: c.url, token: c.token })));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, kubeconfig, { mode: 0o600 });

  console.log(`Sandbox clusters running (speed ${speed}):`);
  for (const c of clusters) console.log(`  ${c.name.padEnd(20)} ${c.url}`);
  console.log(`\nKubeconfig with both contexts (JSON, which kubectl reads as YAML), written to ${path}:\n`);
  console.log(kubeconfig);
  console.log('Use it with kubectl:');
  console.log(`  export KUBECONFIG=${path}`);
  console.log(`  kubectl --context ${CLUSTERS[0]} get nodes`);
  console.log(`  kubectl --context ${CLUSTERS[1]} create deployment web --image=nginx:1.25 --replicas=2`);
  console.log(`  kubectl --context ${CLUSTERS[1]} get pods -w`);
  console.log('\nPress Ctrl-C to stop.');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
