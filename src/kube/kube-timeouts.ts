/**
 * How long a call to a cluster may take: a connect timeout, a total per verb, and an inactivity
 * window for watches. Every request cairn sends to a cluster is bounded by one of these.
 */

export interface KubeTimeouts {
  /** TCP (and TLS) connection set-up. */
  connectMs: number;
  /** A get, create, update, patch or delete, from sending to the last byte of the answer. */
  requestMs: number;
  /** A list (pages can be large), from sending to the last byte. */
  listMs: number;
  /** A watch that delivers no byte (event or bookmark) for this long is aborted and started again. */
  watchIdleMs: number;
}

export const DEFAULT_KUBE_TIMEOUTS: KubeTimeouts = { connectMs: 5_000, requestMs: 10_000, listMs: 20_000, watchIdleMs: 90_000 };

/** The total time one request with this verb may take. */
export function timeoutForVerb(verb: string, timeouts: KubeTimeouts): number {
  return verb === 'list' || verb === 'deletecollection' ? timeouts.listMs : timeouts.requestMs;
}

/**
 * The `timeoutSeconds` to ask of the API server for a watch, so that a healthy server ends the
 * watch (or sends its closing bookmark) well inside the inactivity window: a quiet namespace is
 * not mistaken for a dead connection. At most `wantedSeconds`.
 */
export function watchTimeoutSeconds(wantedSeconds: number, timeouts: KubeTimeouts): number {
  const inside = Math.floor((timeouts.watchIdleMs * 2) / 3 / 1000);
  return Math.max(1, Math.min(wantedSeconds, inside));
}

/** The timeouts set in cairn's configuration (src/config.ts). */
export function kubeTimeouts(config: { kubeConnectTimeoutMs: number; kubeRequestTimeoutMs: number; kubeListTimeoutMs: number; kubeWatchIdleTimeoutMs: number }): KubeTimeouts {
  return { connectMs: config.kubeConnectTimeoutMs, requestMs: config.kubeRequestTimeoutMs, listMs: config.kubeListTimeoutMs, watchIdleMs: config.kubeWatchIdleTimeoutMs };
}
