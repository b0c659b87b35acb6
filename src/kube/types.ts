import type { KubeConfig } from '@kubernetes/client-node';

/** A cluster cairn can deploy to: one context of the kubeconfig. Never carries credentials. */
export interface ClusterInfo {
  /** The kubeconfig context's name. */
  name: string;
  /** The API server's URL. */
  server: string;
  /** Whether the last check reached the API server; null before the first check. */
  reachable: boolean | null;
  /** When the API server was last checked; null before the first check. */
  lastCheckedAt: Date | null;
  /** Why the last check failed (no credentials in it). */
  lastError: string | null;
  /** True for a sandbox cluster that cairn runs in-process. */
  sandbox: boolean;
}

export interface ClusterRegistry {
  list(): ClusterInfo[];
  get(name: string): ClusterInfo | undefined;
  /** A KubeConfig whose current context is this cluster, for @kubernetes/client-node clients. */
  kubeConfig(name: string): KubeConfig;
  /**
   * Follows the clusters: first one event per cluster with its current state, then one event each
   * time a cluster's reachability (or the reason it is unreachable) changes. `return()` ends it.
   */
  watch(): AsyncIterableIterator<ClusterInfo>;
}
