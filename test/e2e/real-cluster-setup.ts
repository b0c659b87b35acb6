/**
 * vitest globalSetup for `npm run test:k8s`: starts one real control plane per e2e cluster
 * (scripts/real-cluster/start.sh: etcd, kube-apiserver, kube-controller-manager, kube-scheduler on
 * free loopback ports) and gives the test files their kubeconfigs; stops them by PID at the end.
 * Two control planes, not two contexts on one: cairn puts an app's production and test environments
 * in the same namespace on different clusters, so they must not share a store. The first one
 * (e2e-production) authorizes with RBAC, so that test/k8s/ can prove deploy/'s RBAC; the admin
 * user of every kubeconfig is in system:masters, so the other tests see no difference.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { CLUSTERS } from './cluster-names.js';

const run = promisify(execFile);
const SCRIPTS = resolve(import.meta.dirname, '../../scripts/real-cluster');

declare module 'vitest' {
  export interface ProvidedContext {
    realClusters: { name: string; kubeconfig: string; authorization: 'RBAC' | 'AlwaysAllow' }[];
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const root = mkdtempSync(join(tmpdir(), 'cairn-k8s-'));
  const dirs = CLUSTERS.map((name, i) => ({ name, dir: join(root, name), authorization: i === 0 ? ('RBAC' as const) : ('AlwaysAllow' as const) }));
  const stop = async () => {
    // CAIRN_K8S_KEEP=1 leaves the control planes running (and their logs) to look at after a run.
    if (process.env.CAIRN_K8S_KEEP) return console.log(`real clusters kept running: ${root} (stop with scripts/real-cluster/stop.sh DIR)`);
    await Promise.all(dirs.map(({ dir }) => run(join(SCRIPTS, 'stop.sh'), [dir]).catch(() => undefined)));
    rmSync(root, { recursive: true, force: true });
  };
  try {
    // The binaries are built once per machine (the first build takes several minutes).
    await run(join(SCRIPTS, 'build.sh'), [], { maxBuffer: 64 * 1024 * 1024 });
    await Promise.all(dirs.map(({ name, dir, authorization }) => run(join(SCRIPTS, 'start.sh'), [name, dir, authorization])));
  } catch (error) {
    await stop();
    throw error;
  }
  project.provide(
    'realClusters',
    dirs.map(({ name, dir, authorization }) => ({ name, kubeconfig: readFileSync(join(dir, 'kubeconfig'), 'utf8'), authorization })),
  );
  return stop;
}
