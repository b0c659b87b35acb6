/**
 * The sandbox's node agent: the kubelet's part for a set of simulated nodes. It talks to the cluster
 * only through the Kubernetes API (client-node), so it can also run pods for simulated nodes on a real
 * control plane; logs and exec are served through the KubeletApi each node registers.
 */
import type { Clock } from '../clock.js';
import { defaultCatalog, type ImageCatalog } from '../images/catalog.js';
import type { KubeletApi } from '../kubelet-api.js';
import { createApi } from './api.js';
import { FirstPods } from './first-pods.js';
import { nodeConfigs, type NodeInput } from './node-object.js';
import { SimNode, type Log } from './sim-node.js';

export type { NodeInput } from './node-object.js';

export interface NodeAgentOptions {
  /** Kubeconfig text for the cluster. */
  kubeconfig: string;
  clusterName: string;
  /** A count (default 3) or one entry per node; defaults 4 CPU, 8Gi, 110 pods. */
  nodes?: number | NodeInput[];
  clock: Clock;
  /** Registers a node's kubelet API with the API server; may return an unregister function. */
  registerKubelet(nodeName: string, api: KubeletApi): (() => void) | void;
  /** Extra or replacement images, by catalog key (merged over the built-in catalog). */
  images?: ImageCatalog;
  log?: Log;
}

export interface NodeAgent {
  /** Names of the simulated nodes. */
  nodes: string[];
  stop(): Promise<void>;
}

export async function startNodeAgent(options: NodeAgentOptions): Promise<NodeAgent> {
  const api = createApi(options.kubeconfig);
  const catalog = { ...defaultCatalog, ...(options.images ?? {}) };
  const log: Log = options.log ?? (() => {});
  // One for all nodes: "the first pod to run an image" is a cluster-wide fact.
  const firstPods = new FirstPods();
  const nodes = nodeConfigs(options.clusterName, options.nodes).map((cfg) => new SimNode(api, cfg, options.clock, catalog, log, firstPods));
  const unregister: (() => void)[] = [];
  try {
    for (const n of nodes) {
      const off = options.registerKubelet(n.cfg.name, n.kubelet);
      if (typeof off === 'function') unregister.push(off);
    }
    await Promise.all(nodes.map((n) => n.start()));
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const off of unregister) off();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    nodes: nodes.map((n) => n.cfg.name),
    stop() {
      stopped ??= (async () => {
        await Promise.all(nodes.map((n) => n.stop()));
        for (const off of unregister) off();
      })();
      return stopped;
    },
  };
}
