/**
 * The sandbox's node agent: the kubelet's part for a set of simulated nodes. It talks to the cluster
 * only through the Kubernetes API (client-node, and plain JSON requests for its frequent calls: rest.ts), so it can also run pods for simulated nodes on a real
 * control plane. Logs and exec are served through each node's KubeletApi: registered with the sandbox
 * API server (`registerKubelet`), or served on the node's own HTTPS port (`kubeletServer`), where a
 * real API server reaches it.
 */
import type { Clock } from '../clock.js';
import { defaultCatalog, type ImageCatalog } from '../images/catalog.js';
import type { KubeletApi } from '../kubelet-api.js';
import { createApi } from './api.js';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';
import { FirstPods } from './first-pods.js';
import { ClusterNetwork } from './cluster-network.js';
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
  /** Registers a node's kubelet API with the (sandbox) API server; may return an unregister function. */
  registerKubelet?(nodeName: string, api: KubeletApi): (() => void) | void;
  /**
   * Serve each node's kubelet API on its own HTTPS port on 127.0.0.1, published in the Node's status
   * (InternalIP 127.0.0.1, daemonEndpoints.kubeletEndpoint.Port), as a real API server expects.
   */
  kubeletServer?: boolean;
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
  // One pod network for all nodes: any pod reaches any other by its IP.
  const network = new ClusterNetwork();
  const configs = nodeConfigs(options.clusterName, options.nodes);
  const servers: KubeletServer[] = [];
  const nodes: SimNode[] = [];
  const unregister: (() => void)[] = [];
  try {
    for (const cfg of configs) {
      if (options.kubeletServer) {
        const server = await startKubeletServer(() => node.kubelet);
        servers.push(server);
        cfg.hostIP = '127.0.0.1';
        cfg.kubeletPort = server.port;
      }
      const node: SimNode = new SimNode(api, cfg, options.clock, catalog, log, firstPods, network);
      nodes.push(node);
      const off = options.registerKubelet?.(cfg.name, node.kubelet);
      if (typeof off === 'function') unregister.push(off);
    }
    await Promise.all(nodes.map((n) => n.start()));
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    for (const off of unregister) off();
    await Promise.all(servers.map((s) => s.close()));
    api.close();
    throw e;
  }
  let stopped: Promise<void> | undefined;
  return {
    nodes: nodes.map((n) => n.cfg.name),
    stop() {
      stopped ??= (async () => {
        await Promise.all(nodes.map((n) => n.stop()));
        for (const off of unregister) off();
        await Promise.all(servers.map((s) => s.close()));
        api.close();
      })();
      return stopped;
    },
  };
}
