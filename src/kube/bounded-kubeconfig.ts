/**
 * A cluster's KubeConfig with every request bounded: the registry hands these out, so every
 * client-node client made from them (makeApiClient), and every stream (Watch, Log, Exec through
 * `streamConfig`), gets a connect timeout, a total time per verb, and is cancelled when cairn
 * shuts down. A call that fails carries its request (cluster, verb, kind, namespace, name) for
 * the log lines of kube-errors' withRetry.
 */
import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { KubeConfig, Observable, type ConfigurationOptions, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import { guardAgent, startDeadline, type Deadline, type GuardOptions } from './deadline.js';
import { DEFAULT_KUBE_TIMEOUTS, timeoutForVerb, type KubeTimeouts } from './kube-timeouts.js';
import { createKeepAliveAgents, type KeepAliveAgents } from './keep-alive-agent.js';
import { describeCall, withRequest, type KubeCallEnd, type KubeCallObserver, type KubeRequest } from './kube-request.js';
import { createWriteMarks, type WriteMarks } from './write-marks.js';

export interface KubeBounds {
  /** The cluster's name (its kubeconfig context), told in failures. */
  cluster: string;
  timeouts: KubeTimeouts;
  /** Aborts every request in flight and every stream (cairn's shutdown). */
  signal?: AbortSignal;
  /** The cluster's keep-alive agents (a BoundedKubeConfig makes its own). */
  agents?: KeepAliveAgents;
  /** The newest resourceVersions cairn wrote, for readers of informer caches (a BoundedKubeConfig makes its own). */
  writes?: WriteMarks;
  /** Told of every API call and how it ended (metrics, traces). */
  observe?: KubeCallObserver;
}

type ApiMethod = (param?: unknown, options?: ConfigurationOptions) => Promise<unknown>;

/** Per-call middleware: the deadline's signal (with the caller's own, if any) and the connect guard. */
function boundMiddleware(deadline: Deadline, connectMs: number, agents?: KeepAliveAgents, onSocket?: (reused: boolean) => void, seen?: Partial<KubeCallEnd>) {
  return {
    pre(context: RequestContext) {
      if (seen) {
        seen.method = context.getHttpMethod();
        seen.path = pathOfUrl(context.getUrl());
      }
      const own = context.getSignal();
      context.setSignal(own ? AbortSignal.any([own, deadline.signal]) : deadline.signal);
      const agent = context.getAgent() as Agent | undefined;
      const fire = (error: Error) => deadline.fire(error);
      // The cluster's shared agent: the connect bound applies to this request's socket only when it is a new one.
      if (agent && agents?.isShared(agent)) context.setAgent(agents.forRequest(agent, connectMs, fire, onSocket));
      else if (agent) guardAgent(agent, { connectMs, onConnectTimeout: fire });
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => {
      if (seen) seen.status = response.httpStatusCode;
      return new Observable(Promise.resolve(response));
    },
  };
}

function pathOfUrl(url: string): string | undefined {
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/** Reads may be sent again when the kept-alive connection they went out on was closed under them. */
const IDEMPOTENT = new Set(['get', 'list']);
/** The connection was closed under the request (not an answer of the server). */
const closedUnder = (error: unknown) => {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === 'ECONNRESET' || e?.code === 'EPIPE' || /socket hang up|ECONNRESET|EPIPE/.test(String(e?.message ?? ''));
};

/** Runs one client-node call within its bounds; what it throws names its request. */
async function boundedCall(api: object, method: string, request: KubeRequest, bounds: KubeBounds, param: unknown, options?: ConfigurationOptions, again = true): Promise<unknown> {
  const deadline = startDeadline(timeoutForVerb(request.verb, bounds.timeouts), bounds.signal);
  let reused = false;
  // Told to the observer when the call ends: what was sent, the answer's status.
  const seen: Partial<KubeCallEnd> | undefined = bounds.observe ? {} : undefined;
  const ended = bounds.observe?.(request);
  const mine = boundMiddleware(deadline, bounds.timeouts.connectMs, bounds.agents, (r) => (reused = r), seen);
  // Appended last, so that it sees (and keeps) a signal the caller's own middleware set.
  const merged: ConfigurationOptions = {
    ...options,
    middleware: [...(options?.middleware ?? []), mine] as ConfigurationOptions['middleware'],
    middlewareMergeStrategy: options?.middleware ? (options.middlewareMergeStrategy ?? 'replace') : 'append',
  };
  try {
    const answer = await (api as Record<string, ApiMethod>)[method]!.call(api, param, merged);
    ended?.({ ...seen, status: seen?.status ?? null, failure: null });
    bounds.writes?.record(request, answer);
    return answer;
  } catch (error) {
    ended?.({ ...seen, status: seen?.status ?? null, failure: seen?.status ? null : deadline.reason ? 'timeout' : bounds.signal?.aborted ? 'cancelled' : 'error' });
    // A connection kept alive may be closed by the server just as a request goes out on it (a real HTTP
    // client sends an idempotent request again on a new one, as Go's does): once, and only for reads.
    if (again && reused && closedUnder(error) && !deadline.reason && IDEMPOTENT.has(request.verb) && !bounds.signal?.aborted) {
      deadline.clear();
      return boundedCall(api, method, request, bounds, param, options, false);
    }
    throw withRequest(deadline.reason ?? error, request);
  } finally {
    deadline.clear();
  }
}

/** Wraps a generated API client (CoreV1Api, AppsV1Api, VersionApi …) so that each call is bounded. */
export function boundedApi<T extends object>(api: T, bounds: KubeBounds): T {
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      return (param?: unknown, options?: ConfigurationOptions) => {
        const request = describeCall(bounds.cluster, property, param);
        if (!request) return (value as ApiMethod).call(target, param, options);
        return boundedCall(target, property, request, bounds, param, options);
      };
    },
  });
}

export class BoundedKubeConfig extends KubeConfig {
  readonly bounds: KubeBounds;
  constructor(source: KubeConfig, bounds: KubeBounds) {
    super();
    this.bounds = { ...bounds, agents: bounds.agents ?? createKeepAliveAgents(bounds.signal), writes: bounds.writes ?? createWriteMarks() };
    this.loadFromOptions({ clusters: source.clusters, users: source.users, contexts: source.contexts, currentContext: source.currentContext });
  }

  /** API calls share the cluster's keep-alive agent (client-node would make a new one, so a new connection, per call). */
  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // Only plain http(s) agents are shared (a proxy's agent is left as it is).
    if (!fresh || (fresh.constructor !== Agent && fresh.constructor !== HttpsAgent)) return;
    const secure = fresh instanceof HttpsAgent;
    context.setAgent(this.bounds.agents!.shared(secure, (fresh as HttpsAgent).options));
    fresh.destroy();
  }

  override makeApiClient<T>(apiClientType: new (...args: never[]) => T): T {
    return boundedApi(super.makeApiClient(apiClientType as never) as T & object, this.bounds);
  }

  /** Every stream's agent (Watch, Log, Exec call this) is destroyed when cairn shuts down. */
  override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
    await super.applyToHTTPSOptions(opts);
    const agent = (opts as { agent?: unknown }).agent;
    if (agent && typeof agent === 'object' && this.bounds.signal) guardAgent(agent as Agent, { signal: this.bounds.signal });
  }
}

/** A bounded API client from any KubeConfig (a registry's is bounded already; any other gets the default bounds). */
export function boundedClient<T extends object>(kc: KubeConfig, apiClientType: new (...args: never[]) => T): T {
  const api = kc.makeApiClient(apiClientType as never) as T;
  return kc instanceof BoundedKubeConfig ? api : boundedApi(api, boundsOf(kc));
}

/** The bounds of a KubeConfig from the registry; defaults (and no shutdown signal) for any other. */
export function boundsOf(kc: KubeConfig): KubeBounds {
  return kc instanceof BoundedKubeConfig ? kc.bounds : { cluster: kc.getCurrentContext() || 'cluster', timeouts: DEFAULT_KUBE_TIMEOUTS };
}

/**
 * A KubeConfig for one stream (a Watch, a Log, an Exec): its connections are guarded by `guard`
 * (a connect timeout, a signal that destroys them, a callback on every byte) — on top of the
 * shutdown guard of a BoundedKubeConfig. client-node's streams hand out their own abort handle
 * only once the server answered; this bounds the wait before that too.
 */
export function streamConfig(kc: KubeConfig, guard: GuardOptions): KubeConfig {
  const stream = Object.create(kc) as KubeConfig;
  stream.applyToHTTPSOptions = async (opts) => {
    await kc.applyToHTTPSOptions.call(stream, opts);
    const agent = (opts as { agent?: unknown }).agent;
    if (agent && typeof agent === 'object') guardAgent(agent as Agent, guard);
  };
  return stream;
}
