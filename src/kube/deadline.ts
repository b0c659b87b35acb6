/**
 * Bounds for one request to a cluster: a deadline (an AbortSignal that fires after `ms`, or when
 * the process shuts down) and the connection guard that destroys the request's sockets when the
 * signal fires or when connecting takes too long.
 */
import type { Agent as HttpAgent } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** A request to a cluster that got no (complete) answer in time. Maps to Unavailable (retryable). */
export class KubeTimeoutError extends Error {
  override name = 'TimeoutError';
}

/** A request to a cluster cut short because cairn is shutting down. Maps to Unavailable. */
export class KubeCancelledError extends Error {
  override name = 'CancelledError';
  constructor() {
    super('cancelled: cairn is shutting down');
  }
}

export interface Deadline {
  signal: AbortSignal;
  /** Why it fired: a KubeTimeoutError, a KubeCancelledError, or null while it has not. */
  readonly reason: Error | null;
  /** Fires it now with this reason (e.g. a connect timeout seen by the connection guard). */
  fire(reason: Error): void;
  /** Stops its timer and forgets the parent (call when the request ended). */
  clear(): void;
}

/** A signal that fires after `ms` (`no answer within ms`), or when `parent` fires (cancelled). `ms` ≤ 0: no timer. */
export function startDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let reason: Error | null = null;
  const fire = (why: Error) => {
    if (reason) return;
    reason = why;
    clear();
    controller.abort(why);
  };
  const onParent = () => fire(new KubeCancelledError());
  const timer = ms > 0 ? setTimeout(() => fire(new KubeTimeoutError(`no answer within ${ms} ms`)), ms) : undefined;
  timer?.unref();
  function clear() {
    if (timer) clearTimeout(timer);
    parent?.removeEventListener('abort', onParent);
  }
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    get reason() {
      return reason;
    },
    fire,
    clear,
  };
}

export interface GuardOptions {
  /** Destroys the request's sockets when it fires. */
  signal?: AbortSignal;
  /** A socket not connected (TCP and TLS) within this long is destroyed with a KubeTimeoutError. */
  connectMs?: number;
  /** Called when a socket connected within connectMs did not. */
  onConnectTimeout?: (error: KubeTimeoutError) => void;
}

/**
 * Watches every socket `agent` creates (client-node makes one agent per request, so these are the
 * request's own). Works for node:http and node:https agents and anything built on them (fetch
 * with `agent`, ws); returns the same agent.
 */
export function guardAgent<A extends HttpAgent>(agent: A, options: GuardOptions): A {
  const target = agent as unknown as { createConnection: (...args: unknown[]) => Socket | undefined };
  const create = target.createConnection?.bind(agent);
  if (typeof create !== 'function') return agent;
  target.createConnection = (...args: unknown[]) => {
    const socket = create(...args);
    if (socket) guardSocket(socket, options);
    return socket;
  };
  return agent;
}

function guardSocket(socket: Socket, options: GuardOptions): void {
  // No 'data' listener here: one added to the socket keeps client-node's Watch from seeing a response end.
  const { signal, connectMs } = options;
  const destroy = () => socket.destroy(signal?.reason instanceof KubeTimeoutError ? signal.reason : new KubeCancelledError());
  // The request that owns the socket handles its errors; this keeps one raised before it took the socket from being uncaught.
  socket.on('error', () => undefined);
  let connectTimer: NodeJS.Timeout | undefined;
  const connected = () => clearTimeout(connectTimer);
  if (connectMs && connectMs > 0) {
    connectTimer = setTimeout(() => {
      const error = new KubeTimeoutError(`no connection within ${connectMs} ms`);
      options.onConnectTimeout?.(error);
      socket.destroy(error);
    }, connectMs);
    connectTimer.unref();
    socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', connected);
  }
  if (signal?.aborted) {
    destroy();
    return;
  }
  signal?.addEventListener('abort', destroy, { once: true });
  socket.once('close', () => {
    connected();
    signal?.removeEventListener('abort', destroy);
  });
}
