/**
 * The node agent's only way to the cluster: the Kubernetes API, through @kubernetes/client-node, and for the calls it
 * makes several times per pod (status writes, events, Services) as plain JSON requests (rest.ts).
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { CoordinationV1Api, CoreV1Api, KubeConfig, PatchStrategy, type RequestContext, Watch, setHeaderOptions } from '@kubernetes/client-node';
import type { ObjectLookup } from './environment.js';
import type { EventSink } from './events.js';
import { createRest, type Rest } from './rest.js';
import type { Pod, PodStatus } from './types.js';

export interface Api {
  kc: KubeConfig;
  core: CoreV1Api;
  coordination: CoordinationV1Api;
  watch: Watch;
  /** The frequent calls, as plain JSON requests. */
  rest: Rest;
  /** Closes the API calls' idle connections (at stop). */
  close(): void;
}

/** An idle connection is closed after this: before the API server's own keep-alive timeout (node's default 5 s; the sandbox's 30 s). */
const IDLE_SOCKET_MS = 4_000;

/** How long one API call (not a watch) may take before it is abandoned: it fails, and the agent's loop tries again. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/**
 * client-node 1.4 makes a new agent, so a new connection (over HTTPS, a full TLS handshake with a new secure
 * context), for every API call. The node agent's API calls share one keep-alive agent instead (its streams,
 * the pod watches, keep their own): with ~5 calls per node at registration, the handshakes were most of a
 * sandbox cluster's start time over HTTPS.
 */
class SharedAgentKubeConfig extends KubeConfig {
  private shared: HttpAgent | undefined;
  private closed = false;

  constructor(private readonly callTimeoutMs: number) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    // Every API call is bounded (an API server that accepts a request and never answers cannot hold the agent's loop).
    const own = context.getSignal();
    const bound = AbortSignal.timeout(this.callTimeoutMs);
    context.setSignal(own ? AbortSignal.any([own, bound]) : bound);
    const fresh = context.getAgent();
    // Only plain http(s) agents are shared (a proxy's agent is left as it is).
    if (!fresh || (fresh.constructor !== HttpAgent && fresh.constructor !== HttpsAgent)) return;
    // After close, a late call keeps its own one-shot agent: no shared one is made again that nobody closes.
    if (this.closed) return;
    const options = { ...(fresh as HttpsAgent).options, keepAlive: true, timeout: IDLE_SOCKET_MS };
    this.shared ??= fresh instanceof HttpsAgent ? new HttpsAgent(options) : new HttpAgent(options);
    context.setAgent(this.shared);
    fresh.destroy();
  }

  close(): void {
    this.closed = true;
    this.shared?.destroy();
    this.shared = undefined;
  }
}

export function createApi(kubeconfig: string, options: { callTimeoutMs?: number } = {}): Api {
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const kc = new SharedAgentKubeConfig(callTimeoutMs);
  kc.loadFromString(kubeconfig);
  const rest = createRest(kc, callTimeoutMs);
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    coordination: kc.makeApiClient(CoordinationV1Api),
    watch: new Watch(kc),
    rest,
    close: () => {
      kc.close();
      rest.close();
    },
  };
}

export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** The path of a namespaced object (or of its collection, without a name). */
const inNamespace = (namespace: string, resource: string, name?: string) =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/${resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;

export const statusCode = (e: unknown): number | undefined => (e as { code?: number; statusCode?: number })?.code ?? (e as { statusCode?: number })?.statusCode;

/** Typed client-node models carry Dates; the agent works with the JSON shapes. */
export const toJson = <T>(o: unknown): T => JSON.parse(JSON.stringify(o)) as T;

/** What the agent reads of a Service. */
interface ServiceJson {
  metadata?: { name?: string };
  spec?: { clusterIP?: string; ports?: { name?: string; port: number; protocol?: string }[] };
}

export function objectLookup(api: Api): ObjectLookup {
  const read = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (e) {
      if (statusCode(e) === 404) return undefined;
      throw e;
    }
  };
  return {
    async configMap(namespace, name) {
      const cm = await read(() => api.core.readNamespacedConfigMap({ name, namespace }));
      return cm ? { ...(cm.data ?? {}) } : undefined;
    },
    async secret(namespace, name) {
      const s = await read(() => api.core.readNamespacedSecret({ name, namespace }));
      if (!s) return undefined;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
      for (const [k, v] of Object.entries(s.stringData ?? {})) out[k] = v;
      return out;
    },
    async services(namespace) {
      const list = await api.rest.call<{ items: ServiceJson[] }>('GET', inNamespace(namespace, 'services'));
      return list.items.map((s) => ({
        name: s.metadata?.name ?? '',
        clusterIP: s.spec?.clusterIP,
        ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
      }));
    },
  };
}

export function eventSink(api: Api): EventSink {
  return {
    async create(namespace, body) {
      await api.rest.call('POST', inNamespace(namespace, 'events'), { body, discard: true });
    },
    async patch(namespace, name, body) {
      await api.rest.call('PATCH', inNamespace(namespace, 'events', name), { body, contentType: PatchStrategy.MergePatch, discard: true });
    },
  };
}

/**
 * Writes a pod's status, only onto the pod it was computed for: a JSON Patch whose first operation
 * tests metadata.uid, which the API server checks atomically (422 when the name now belongs to another
 * pod, such as a StatefulSet's successor). A uid inside a merge patch is no precondition on pods/status
 * for a real API server (v1.20): a late write for a deleted pod landed on its successor and removed it.
 * Each status field the kubelet reports is replaced whole, as the merge patch did.
 */
export async function writePodStatus(api: Api, pod: Pod, status: PodStatus): Promise<void> {
  const fields = Object.entries(status).filter(([, value]) => value !== undefined);
  const body = [{ op: 'test', path: '/metadata/uid', value: pod.metadata.uid }, ...fields.map(([key, value]) => ({ op: 'add', path: `/status/${key}`, value }))];
  await api.rest.call('PATCH', `${inNamespace(pod.metadata.namespace, 'pods', pod.metadata.name)}/status`, { body, contentType: PatchStrategy.JsonPatch, discard: true });
}

export async function deletePodNow(api: Api, pod: Pod): Promise<void> {
  await api.core.deleteNamespacedPod({
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    gracePeriodSeconds: 0,
    body: { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } },
  });
}
