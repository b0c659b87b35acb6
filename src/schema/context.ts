import type { Logger } from 'pino';
import type { Viewer } from '../auth/roles.js';
import type { TokenEvents } from '../auth/token-events.js';
import type { Config } from '../config.js';
import type { Repositories } from '../db/repositories.js';
import type { ClusterRegistry } from '../kube/types.js';
import type { KubeResult } from '../kube/kube-errors.js';
import type { BindingTarget } from '../kube/namespace.js';
import type { ReleaseService } from '../engine/service.js';
import type { LiveStatus } from '../live/live-status.js';
import type { Terminals } from '../live/terminal.js';

/**
 * What every resolver receives: the long-lived services `createCairn` (src/app.ts) builds, every one
 * present, plus per-request data. Keep it a plain bag.
 */
export interface Context {
  config: Config;
  logger: Logger;
  /** The clusters of the kubeconfig (or the sandbox clusters). */
  clusters: ClusterRegistry;
  /** The clock; injected so that tests control time. */
  now: () => Date;
  /** The database's repositories (apps, configs, templates) and `transaction` for all-or-nothing writes. */
  repos: Repositories;
  /** The release engine (wake it after a mutation, observe an environment). */
  releases: ReleaseService;
  /** The open terminal sessions (remote login). */
  terminals: Terminals;
  /** Live status: shared informers and the event hub (instances, events, live subscriptions). */
  live: LiveStatus;
  /**
   * cairn's RoleBinding in an app's existing namespace (src/kube/namespace.ts ensureBinding), asked before
   * exec, logs and terminals: cached per process, free once bound. Absent: nothing to ensure.
   */
  ensureAccess?: (target: BindingTarget) => Promise<KubeResult<void>>;
  /** Announces that a token was revoked or lost a role: the server ends its open subscriptions. */
  tokenEvents: TokenEvents;
  /** Who calls: the API token the request was authenticated with, and its roles. Absent only outside a request. */
  viewer?: Viewer;
  /** The request's headers; absent outside HTTP. */
  headers?: Headers;
}
