/**
 * The benches' sandbox clusters, started in the bench's own process (so the bench reads their
 * counters and cairn's CPU and memory are cairn's alone): a production cluster with controllers
 * and a node agent, and a bare test cluster (cairn needs two; nothing is released there).
 *
 * cairn reaches each cluster through a door of its own: a second API server over the same store
 * and clock. Its counters therefore hold cairn's requests exactly — not the node agent's (which
 * talks to the cluster over HTTP too, with the same client library) nor the bench's own watches.
 * The door has no kubelets registered, so cairn cannot stream logs or exec through it; no bench
 * needs that.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeconfigText } from '../../src/sandbox/apiserver/kubeconfig.js';
import { startApiServer, type ApiServer } from '../../src/sandbox/apiserver/server.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import type { NodeInput } from '../../src/sandbox/node/index.js';
import { atEnd } from './cleanup.js';
import { startChildNodeAgent } from './node-agent.js';

/** NODE_AGENT=child runs the production cluster's node agent (the simulated pods) in a process of its own (see node-agent-child.ts). */
export const childNodeAgent = process.env.NODE_AGENT === 'child';

/** CPU seconds of the node agents running in child processes (NODE_AGENT=child), all of them so far. */
const agentCpu: Array<() => number> = [];
export function childAgentsCpuSeconds(): number {
  return agentCpu.reduce((sum, f) => sum + (Number.isFinite(f()) ? f() : 0), 0);
}

/** A production-like sandbox cluster: controllers in this process, the node agent here or in a child process. */
export async function startPodsCluster(name: string, speed: number, pods: number): Promise<SandboxCluster> {
  const nodes = nodesFor(pods);
  const cluster = await startSandboxCluster({ name, speed, nodes, nodeAgent: !childNodeAgent });
  if (!childNodeAgent) return cluster;
  const agent = await startChildNodeAgent({ kubeconfig: cluster.kubeconfig, clusterName: name, speed, nodes }).catch(async (error: unknown) => {
    await cluster.stop();
    throw error;
  });
  let last = 0;
  const readCpu = () => {
    const now = agent.cpuSeconds();
    if (Number.isFinite(now)) last = now;
    return last;
  };
  agentCpu.push(readCpu);
  return Object.assign(Object.create(cluster) as SandboxCluster, {
    async stop() {
      readCpu(); // the last reading before the process goes
      await agent.stop();
      await cluster.stop();
    },
  });
}

export const PRODUCTION = 'bench-production';
export const TEST = 'bench-test';

export interface BenchClusters {
  production: SandboxCluster;
  test: SandboxCluster;
  /** cairn's doors to production and test: their counters are cairn's requests. */
  doors: ApiServer[];
  /** Path of the kubeconfig file naming both doors (contexts bench-production, bench-test). */
  kubeconfigPath: string;
  /** cairn's requests to both clusters so far, keyed `verb resource`. */
  cairnRequests(): Record<string, number>;
  /** Watches cairn holds open now, on both clusters. */
  cairnWatches(): number;
  stop(): Promise<void>;
}

/**
 * Nodes enough for `pods` pods of 250 millicores and 256 MiB each: at most 240 pods a node, since a
 * simulated node gives its pods IPs from a /24.
 */
export function nodesFor(pods: number): NodeInput[] {
  const count = Math.max(3, Math.ceil(pods / 240));
  const perNode = Math.ceil(pods / count) + 10;
  return Array.from({ length: count }, () => ({ pods: perNode, cpu: String(Math.ceil(perNode / 4) + 4), memory: `${Math.ceil(perNode / 4) + 8}Gi` }));
}

/** A production cluster with nodes for `pods` pods at `speed`, a bare test cluster, and cairn's doors to both. */
export async function startBenchClusters(options: { dir: string; speed: number; pods: number }): Promise<BenchClusters> {
  const production = await startPodsCluster(PRODUCTION, options.speed, options.pods);
  const test = await startSandboxCluster({ name: TEST, speed: options.speed, controllers: false, nodeAgent: false });
  const doors = [
    await startApiServer({ store: production.store, clock: production.clock }),
    await startApiServer({ store: test.store, clock: test.clock }),
  ];
  const kubeconfigPath = join(options.dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigText([{ name: PRODUCTION, url: doors[0]!.url }, { name: TEST, url: doors[1]!.url }]), { mode: 0o600 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const door of doors) await door.close();
    await production.stop();
    await test.stop();
  };
  atEnd(stop);
  return {
    production,
    test,
    doors,
    kubeconfigPath,
    cairnRequests() {
      const out: Record<string, number> = {};
      for (const door of doors) for (const [k, n] of Object.entries(door.counters.byVerbAndResource())) out[k] = (out[k] ?? 0) + n;
      return out;
    },
    cairnWatches: () => doors.reduce((n, d) => n + d.counters.openWatches(), 0),
    stop,
  };
}
