/**
 * Bounds for one stream to a cluster (a log read, an exec or terminal connection): a connect
 * timeout, and a timer for the answer that the stream settles once it is connected (a followed
 * log or an open terminal may then be quiet for as long as it likes). client-node hands out a stream's abort handle only once the server
 * answered; this cuts the wait before that too.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { boundsOf, streamConfig } from '../kube/bounded-kubeconfig.js';
import { KubeTimeoutError } from '../kube/deadline.js';

export interface StreamBounds {
  /** The KubeConfig to open the stream with. */
  kc: KubeConfig;
  /** Stops the answer timer for good (the stream is connected and may be quiet). */
  settle(): void;
  /** Cuts the stream's connection now (the reader left). */
  cut(): void;
  /** Why the stream was cut by its bounds (a KubeTimeoutError), or null. */
  readonly reason: Error | null;
}

/** `answerMs` defaults to the cluster's request timeout. */
export function boundStream(kc: KubeConfig, options: { answerMs?: number } = {}): StreamBounds {
  const { timeouts } = boundsOf(kc);
  const answerMs = options.answerMs ?? timeouts.requestMs;
  const controller = new AbortController();
  let reason: Error | null = null;
  const timer = setTimeout(() => {
    reason = new KubeTimeoutError(`no answer within ${answerMs} ms`);
    controller.abort(reason);
  }, answerMs);
  timer.unref();
  return {
    kc: streamConfig(kc, { signal: controller.signal, connectMs: timeouts.connectMs, onConnectTimeout: (error) => (reason ??= error) }),
    settle: () => clearTimeout(timer),
    cut() {
      clearTimeout(timer);
      controller.abort();
    },
    get reason() {
      return reason;
    },
  };
}
