/**
 * A whole simulated cluster: clock, object store, API server on loopback, controllers and the node
 * agent (which, like a kubelet, talks to the API server over HTTP with the returned kubeconfig).
 */
import { createClock, type Clock } from './clock.js';
import { createStore, type SandboxStore } from './store/store.js';
import type { KubeletApi } from './kubelet-api.js';
import { startApiServer } from './apiserver/server.js';
import { kubeconfigText } from './apiserver/kubeconfig.js';
import type { Faults } from './apiserver/faults.js';
import type { Counters } from './apiserver/counters.js';
import { startControllers } from './controllers/index.js';
import { startNodeAgent } from './node/index.js';

type NodeAgentOptions = Parameters<typeof startNodeAgent>[0];

export interface SandboxClusterOptions {
  /** Names the kubeconfig's cluster, user and context. */
  name: string;
  /** The simulated nodes (passed to the node agent, which has its default). */
  nodes?: NodeAgentOptions['nodes'];
  /** Speed factor of simulated time (1 = real time). */
  speed?: number;
  /**
   * Bearer token the API server requires; none by default. kubectl (client-go) never sends
   * credentials to a plain-http server: with kubectl, use a token together with `tls: true`.
   */
  token?: string;
  /** Serve HTTPS with a self-signed certificate (trusted by the kubeconfig); plain HTTP by default. */
  tls?: boolean;
  /** API server port; 0 (default) picks a free one. */
  port?: number;
  /** Image catalog override for the node agent. */
  images?: NodeAgentOptions['images'];
  /** Start the controllers (default true). */
  controllers?: boolean;
  /** Start the node agent (default true). */
  nodeAgent?: boolean;
  /** Receives the node agent's log lines (what it tried and failed); silent by default. */
  nodeLog?: NodeAgentOptions['log'];
}

export interface SandboxCluster {
  name: string;
  url: string;
  /** The bearer token the API server requires ('' when it requires none). */
  token: string;
  /** PEM of the API server's certificate, when it serves HTTPS. */
  certificateAuthority?: string;
  /** Kubeconfig text (JSON, valid YAML) with one cluster, user and context named after the cluster. */
  kubeconfig: string;
  clock: Clock;
  store: SandboxStore;
  faults: Faults;
  counters: Counters;
  registerKubelet(nodeName: string, api: KubeletApi): () => void;
  stop(): Promise<void>;
}

const REQUIRED_NAMESPACES = ['default', 'kube-system'];

export async function startSandboxCluster(options: SandboxClusterOptions): Promise<SandboxCluster> {
  const { name } = options;
  const clock = createClock(options.speed ?? 1);
  const store = createStore(clock);
  for (const ns of REQUIRED_NAMESPACES) {
    if (!store.get('/namespaces', undefined, ns)) store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
  const token = options.token ?? '';
  const api = await startApiServer({ store, clock, token: token || undefined, port: options.port ?? 0, tls: options.tls ?? false });
  const kubeconfig = kubeconfigText([{ name, url: api.url, token, certificateAuthority: api.certificateAuthority }]);

  const stops: (() => unknown)[] = [() => api.close()];
  const stop = async () => {
    while (stops.length) {
      try {
        await stops.pop()!();
      } catch (error) {
        console.error(`sandbox cluster ${name}: error while stopping`, error);
      }
    }
  };
  try {
    if (options.controllers !== false) {
      const controllers = startControllers({ store, clock });
      stops.push(() => controllers.stop());
    }
    if (options.nodeAgent !== false) {
      const agent = await startNodeAgent({
        kubeconfig,
        clusterName: name,
        nodes: options.nodes,
        clock,
        registerKubelet: api.registerKubelet,
        ...(options.images !== undefined ? { images: options.images } : {}),
        ...(options.nodeLog ? { log: options.nodeLog } : {}),
      });
      stops.push(() => agent.stop());
    }
  } catch (error) {
    await stop();
    throw error;
  }

  return { name, url: api.url, token, ...(api.certificateAuthority ? { certificateAuthority: api.certificateAuthority } : {}), kubeconfig, clock, store, faults: api.faults, counters: api.counters, registerKubelet: api.registerKubelet, stop };
}
