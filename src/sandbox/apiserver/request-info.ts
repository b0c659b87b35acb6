/**
 * Parses a request path the way kube-apiserver's RequestInfoFactory does: API prefix, group,
 * version, namespace, resource, name, subresource, and the verb (get, list, watch, create, update,
 * patch, delete, deletecollection).
 */

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** For resource requests a Kubernetes verb; otherwise the lower-case HTTP method. */
  verb: string;
  prefix?: 'api' | 'apis';
  group: string;
  version: string;
  namespace?: string;
  resource?: string;
  name?: string;
  subresource?: string;
  /**
   * For the `proxy` subresource: the rest of the path after `/proxy`, still URL-encoded, with its
   * trailing slash ('' for none at all, '/' for `…/proxy/`).
   */
  subpath?: string;
  query: URLSearchParams;
}

/** Subresources of a namespace that are addressed as /namespaces/NAME/SUB rather than as a namespaced collection. */
const namespaceSubresources = new Set(['status', 'finalize']);

const methodVerbs: Record<string, string> = {
  POST: 'create',
  GET: 'get',
  HEAD: 'get',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

export const isTrue = (value: string | null | undefined) => value === 'true' || value === '1';

export function requestInfo(method: string, rawUrl: string): RequestInfo {
  const url = new URL(rawUrl, 'http://sandbox');
  const path = url.pathname;
  const query = url.searchParams;
  const nonResource: RequestInfo = { isResourceRequest: false, path, verb: method.toLowerCase(), group: '', version: '', query };
  const rawParts = path.split('/').filter((p) => p !== '');
  let parts = rawParts.map(decodeURIComponent);
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return nonResource;
  let group = '';
  let version: string | undefined;
  if (prefix === 'api') {
    version = parts[1];
    parts = parts.slice(2);
  } else {
    group = parts[1] ?? '';
    version = parts[2];
    parts = parts.slice(3);
  }
  if (!version || parts.length === 0) return { ...nonResource, prefix, group, version: version ?? '' };

  let verb = methodVerbs[method] ?? method.toLowerCase();
  if (parts[0] === 'watch') {
    verb = 'watch';
    parts = parts.slice(1);
  }
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !namespaceSubresources.has(parts[2]!)) parts = parts.slice(2);
    else namespace = undefined; // the namespace object itself: /namespaces/NAME[/status]
  }
  const [resource, name, subresource] = parts;
  let subpath: string | undefined;
  if (subresource === 'proxy') {
    const rest = rawParts.slice(rawParts.length - parts.length + 3);
    subpath = rest.length ? `/${rest.join('/')}${path.endsWith('/') ? '/' : ''}` : path.endsWith('/') ? '/' : '';
  } else if (parts.length > 3) return { ...nonResource, prefix, group, version, isResourceRequest: true, verb: 'unknown', resource };

  if (name === undefined && subresource === undefined) {
    if (verb === 'get') verb = 'list';
    else if (verb === 'delete') verb = 'deletecollection';
  }
  if ((verb === 'list' || verb === 'get') && subresource === undefined && isTrue(query.get('watch'))) verb = 'watch';
  return { isResourceRequest: true, path, verb, prefix, group, version, namespace, resource, name, subresource, ...(subpath !== undefined ? { subpath } : {}), query };
}
