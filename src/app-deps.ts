/**
 * What `createCairn` takes besides the configuration: what a caller must be able to substitute
 * (the logger, the clock, where the clusters' kubeconfigs come from) and the test-only knobs the
 * test harnesses and benches need.
 */
import type { Logger } from 'pino';
import type { KubePort } from './engine/kube-port.js';
import type { ReleaseService } from './engine/service.js';
import type { KubeconfigSource } from './kube/kubeconfig.js';
import type { RetryOptions } from './kube/kube-errors.js';
import type { ReachabilityCheck } from './kube/reachability.js';
import type { LiveStatusOptions } from './live/live-status.js';
import type { Observability } from './observability/observability.js';
import type { Terminals } from './live/terminal.js';
import type { Readiness, RequestInfo } from './server/types.js';

/** A sandbox cluster cairn started in-process: stopped at shutdown, after the release engine and live status. */
export interface StartedSandbox {
  /** For log lines ("sandbox cluster sandbox-production"). */
  name: string;
  stop(): Promise<void> | void;
}

/**
 * Starts sandbox clusters and resolves with their kubeconfigs. Calls `started` with each cluster as soon as it
 * runs, so that a shutdown meanwhile stops it. main.ts passes one (importing `src/sandbox/` lazily), so that the
 * app itself never imports the sandbox.
 */
export type SandboxStarter = (started: (sandbox: StartedSandbox) => void) => Promise<KubeconfigSource[]>;

/** Where the clusters come from. */
export type KubeconfigSupply =
  /**
   * The user's kubeconfig files, read when cairn starts (after the server listens), after the cluster cairn runs in
   * when its service account is mounted (src/kube/in-cluster.ts).
   */
  | { files: string[]; inCluster?: KubeconfigSource }
  /** Sandbox clusters started when cairn starts (after the server listens). */
  | { sandbox: SandboxStarter }
  /** Kubeconfig documents in hand (tests, benches): loaded at once, when cairn is built. */
  | { documents: KubeconfigSource[] };

export interface CairnDeps {
  logger: Logger;
  /** The resolvers' clock (default: the wall clock). Token expiry always uses the wall clock. */
  now?: () => Date;
  kubeconfig: KubeconfigSupply;
  /** Metrics and traces (default: a registry of its own, and traces as the OTEL_* environment asks). */
  observability?: Observability;
  /** Test-only knobs: none of them is set in production. */
  testing?: TestingKnobs;
}

/** What the test harnesses and benches substitute or tune. */
export interface TestingKnobs {
  /** How a cluster's reachability is checked (default: GET /version within CAIRN_CLUSTER_CHECK_TIMEOUT_MS). */
  check?: ReachabilityCheck;
  /** The Kubernetes layer's retries (attempts and delays; the logger and the shutdown signal are cairn's). */
  retry?: Pick<RetryOptions, 'attempts' | 'baseDelayMs' | 'maxDelayMs'>;
  /** Live status's informers and hub (idle and linger times, watch timeouts). */
  live?: LiveStatusOptions;
  /** How long the release engine's environment watch gathers informer events before waking an order (default 100 ms). */
  watchDebounceMs?: number;
  /** Wraps the release engine's Kubernetes port (to time a step, or to stand in for the cluster). */
  kube?: (kube: KubePort) => KubePort;
  /**
   * False: the release engine does not run; a wake only tells the order's followers (as a pass that changed
   * nothing would). For fake clusters, where an order cannot progress. Default true.
   */
  runEngine?: boolean;
  /** Stands in for the release service (the mutations' wake and changed, the resolvers' observe and updates). */
  releases?: ReleaseService;
  /** Stands in for the terminal sessions. */
  terminals?: Terminals;
  /** False: the first start creates no admin token (the harness issues its own). Default true. */
  bootstrapAdminToken?: boolean;
  /** More reasons not to be ready, before cairn's own. */
  readiness?: Readiness;
  /** Sees each request the context factory authenticates (before it does). */
  onContext?: (request: RequestInfo) => void;
}
