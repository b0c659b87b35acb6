/**
 * What one call to a cluster was about — cluster, verb, kind, namespace, name — told by the
 * client-node method called and its parameters, so that a failure can say which request failed.
 */

export interface KubeRequest {
  cluster: string;
  /** The Kubernetes verb: get, list, create, update, patch, delete, deletecollection, connect, watch. */
  verb: string;
  /** The object's kind as the method names it (Deployment, Pod, PodLog, Version …). */
  kind: string;
  namespace?: string;
  name?: string;
}

const VERBS: Array<[prefix: string, verb: string]> = [
  ['deleteCollection', 'deletecollection'],
  ['connect', 'connect'],
  ['replace', 'update'],
  ['create', 'create'],
  ['delete', 'delete'],
  ['patch', 'patch'],
  ['watch', 'watch'],
  ['list', 'list'],
  ['read', 'get'],
  ['get', 'get'],
];

/** Kinds whose method names say something else (VersionApi.getCode reads /version). */
const KIND_NAMES: Record<string, string> = { Code: 'Version' };

/** `createNamespacedDeployment` → { verb: 'create', kind: 'Deployment' }; null for a name that is no API call. */
export function describeMethod(method: string): { verb: string; kind: string } | null {
  for (const [prefix, verb] of VERBS) {
    if (!method.startsWith(prefix)) continue;
    let rest = method.slice(prefix.length);
    if (verb === 'connect') rest = rest.replace(/^(Get|Post|Put|Patch|Delete|Head|Options)/, '');
    rest = rest.replace(/^Namespaced/, '').replace(/ForAllNamespaces$/, '');
    if (rest !== '' && !/^[A-Z]/.test(rest)) return null;
    return { verb, kind: KIND_NAMES[rest] ?? (rest || 'Resource') };
  }
  return null;
}

/** The request a client-node call with these parameters sends. */
export function describeCall(cluster: string, method: string, param: unknown): KubeRequest | null {
  const described = describeMethod(method);
  if (!described) return null;
  const p = (param && typeof param === 'object' ? param : {}) as { namespace?: unknown; name?: unknown };
  return {
    cluster,
    ...described,
    ...(typeof p.namespace === 'string' ? { namespace: p.namespace } : {}),
    ...(typeof p.name === 'string' ? { name: p.name } : {}),
  };
}

/** `Deployment cairn-web/web-production-r2`, `Pod cairn-web` (a list), `Version`. */
export function objectOf(request: KubeRequest): string {
  const where = [request.namespace, request.name].filter(Boolean).join('/');
  return where ? `${request.kind} ${where}` : request.kind;
}

const REQUEST = Symbol.for('cairn.kubeRequest');

/** Marks a thrown value with the request it came from (kept by kube-errors' toKubeError). */
export function withRequest<E>(error: E, request: KubeRequest): E {
  if (error && typeof error === 'object' && !(REQUEST in error)) {
    try {
      Object.defineProperty(error, REQUEST, { value: request, enumerable: false });
    } catch {
      // a frozen value: it stays without its request
    }
  }
  return error;
}

export function requestOf(error: unknown): KubeRequest | undefined {
  return error && typeof error === 'object' ? (error as { [REQUEST]?: KubeRequest })[REQUEST] : undefined;
}

/** How one call to a cluster ended, for its observer. */
export interface KubeCallEnd {
  /** The HTTP status the API server answered with; null when no answer came. */
  status: number | null;
  /** Why no answer came: the call's deadline, cairn's shutdown, or any other failure (a refused connection …). */
  failure: 'timeout' | 'cancelled' | 'error' | null;
  /** The HTTP method and the URL's path the call was sent with (once it was). */
  method?: string;
  path?: string;
}

/**
 * Watches every API call to a cluster (metrics, traces): told of the request as it starts (in the caller's async
 * context), it returns the function told how the call ended. Each attempt is a call of its own.
 */
export type KubeCallObserver = (request: KubeRequest) => (end: KubeCallEnd) => void;
