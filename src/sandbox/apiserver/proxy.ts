/**
 * pods/proxy and nodes/proxy (registry/core/{pod,node} ResourceLocation + apimachinery's
 * UpgradeAwareHandler): the name is `name`, `name:port` or `scheme:name:port`; a pod is reached at
 * its IP on the port asked for (else its first declared container port, else 80), a node at its
 * kubelet port. A request without a path after `/proxy` is redirected (301) to `…/proxy/`, as the
 * real handler does; the answer of the simulated container (or kubelet) is passed through, with a
 * same-host `Location` rewritten to go through the proxy again. Nothing listening is a 500 whose
 * message says the service could not be reached, as kube-apiserver's proxy transport words it.
 * The sandbox has no pod network: the pod's node agent, which holds the simulated containers,
 * answers for the pod IP (KubeletApi.podHttp). Not simulated: HTML link rewriting, upgrades.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import type { HttpAnswer, HttpRequest } from '../kubelet-api.js';
import { readBody } from './body.js';
import { ApiError, badRequest, notFound } from './errors.js';
import type { RequestInfo } from './request-info.js';
import type { ApiContext, Target } from './context.js';

/** utilnet.SplitSchemeNamePort: `name`, `name:port`, `scheme:name:port` with scheme '', http or https. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name = '';
  let port = '';
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) [name, port] = parts as [string, string];
  else if (parts.length === 3) [scheme, name, port] = parts as [string, string, string];
  else return undefined;
  if (!name || !['', 'http', 'https'].includes(scheme)) return undefined;
  return { scheme, name, port };
}

/** proxyutil.IsProxyableIP: an IP that is not loopback or link-local. */
function proxyable(ip: string | undefined): boolean {
  if (!ip || !isIP(ip)) return false;
  if (isIP(ip) === 4) return !ip.startsWith('127.') && !ip.startsWith('169.254.');
  const lower = ip.toLowerCase();
  return lower !== '::1' && !lower.startsWith('fe80:');
}

const unreachable = (detail: string) => new ApiError(500, '', `error trying to reach service: ${detail}`);

/** Well-known service names Go's resolver knows without /etc/services entries the sandbox lacks. */
function portNumber(port: string, scheme: string): number {
  if (port === '') return scheme === 'https' ? 443 : 80;
  if (/^\d+$/.test(port)) return Number(port);
  const known: Record<string, number> = { http: 80, https: 443 };
  if (known[port] !== undefined) return known[port];
  throw unreachable(`dial tcp: lookup tcp/${port}: unknown port`);
}

interface Location {
  host: string;
  /** Sends the request to whatever listens there. */
  send(request: HttpRequest): Promise<HttpAnswer>;
}

function podLocation(ctx: ApiContext, t: Target, id: string): Location {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid pod request "${id}"`);
  const pod = ctx.store.get('/pods', t.namespace, parsed.name);
  if (!pod) throw notFound('pods', parsed.name);
  const spec = (pod.spec ?? {}) as { nodeName?: string; containers?: { ports?: { containerPort?: number }[] }[] };
  let port = parsed.port;
  if (port === '') {
    const first = (spec.containers ?? []).find((c) => (c.ports ?? []).length > 0);
    if (first) port = String(first.ports![0]!.containerPort ?? '');
  }
  const podIP = (pod.status as { podIP?: string } | undefined)?.podIP;
  if (!proxyable(podIP)) throw badRequest('address not allowed');
  const number = portNumber(port, parsed.scheme);
  const host = port === '' ? podIP! : `${podIP}:${port}`;
  return {
    host,
    async send(request) {
      if (parsed.scheme === 'https') throw unreachable('tls: first record does not look like a TLS handshake');
      const kubelet = spec.nodeName ? ctx.kubelets.get(spec.nodeName) : undefined;
      if (!kubelet) throw unreachable(`dial tcp ${podIP}:${number}: connect: no route to host`);
      return kubelet.podHttp ? kubelet.podHttp(t.namespace!, parsed.name, number, request) : { kind: 'refused' };
    },
  };
}

function nodeLocation(ctx: ApiContext, id: string): Location {
  const parsed = splitSchemeNamePort(id);
  if (!parsed) throw badRequest(`invalid node request "${id}"`);
  const node = ctx.store.get('/nodes', undefined, parsed.name);
  if (!node) throw notFound('nodes', parsed.name);
  const status = (node.status ?? {}) as { addresses?: { type: string; address: string }[]; daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } };
  const kubeletPort = String(status.daemonEndpoints?.kubeletEndpoint?.Port || 10250);
  const address = status.addresses?.find((a) => a.type === 'InternalIP')?.address ?? status.addresses?.[0]?.address ?? parsed.name;
  const toKubelet = parsed.port === '' || parsed.port === kubeletPort;
  const port = toKubelet ? kubeletPort : parsed.port;
  return {
    host: `${address}:${port}`,
    async send(request) {
      const kubelet = ctx.kubelets.get(parsed.name);
      if (!kubelet) throw unreachable(`dial tcp ${address}:${port}: connect: no route to host`);
      if (!toKubelet || !kubelet.kubeletHttp) return { kind: 'refused' };
      return kubelet.kubeletHttp(request);
    },
  };
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && k !== 'authorization') out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export async function serveProxy(ctx: ApiContext, info: RequestInfo, req: IncomingMessage, res: ServerResponse, t: Target): Promise<void> {
  const location = t.key === '/pods' ? podLocation(ctx, t, t.name!) : nodeLocation(ctx, t.name!);
  const subpath = info.subpath ?? '';
  const rawQuery = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
  if (subpath === '') {
    // A request for the location without a path is sent to `…/proxy/` (http://issue.k8s.io/4958).
    res.writeHead(301, { Location: `${info.path}/${rawQuery}`, 'Content-Length': 0 });
    res.end();
    return;
  }
  const body = await readBody(req);
  const answer = await location.send({ method: req.method ?? 'GET', path: `${subpath}${rawQuery}`, headers: headersOf(req), body });
  if (answer.kind === 'refused') throw unreachable(`dial tcp ${location.host.includes(':') ? location.host : `${location.host}:80`}: connect: connection refused`);
  const headers = { ...answer.headers };
  const redirect = headers.Location ?? headers.location;
  if (redirect?.startsWith('/') && !redirect.startsWith('//')) {
    // proxy.Transport rewrites a same-host redirect to go through the proxy again.
    const proxyRoot = info.path.endsWith(subpath) ? info.path.slice(0, info.path.length - subpath.length) : info.path.slice(0, info.path.indexOf('/proxy') + '/proxy'.length);
    delete headers.location;
    headers.Location = `${proxyRoot}${redirect}`;
  }
  res.writeHead(answer.status, headers);
  res.end(req.method === 'HEAD' ? undefined : answer.body);
}
