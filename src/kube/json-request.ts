/**
 * One API call as a plain JSON request, within the same bounds as every client-node call of a
 * BoundedKubeConfig (bounded-kubeconfig.ts): its verb's deadline and cairn's shutdown, the connect
 * bound on a new connection of the cluster's shared keep-alive pool, the call observer (metrics,
 * traces), the write marks, and failures carrying their request. The kubeconfig's TLS options and
 * credentials are client-node's own, applied on every call as client-node does (an exec plugin's
 * token refreshes). What it skips is client-node's generated path — the request context, node-fetch,
 * and the typed models every answer is turned into — which cost the release engine's hot writes
 * (a Deployment or Service created, a Deployment scaled) about 2.5 times the CPU of the request itself.
 *
 * The answer is the API server's JSON as it is (timestamps are strings, not Dates). A failed call
 * rejects as client-node's do: `code` the HTTP status and `body` the answer's text (kube-errors maps
 * both), or the network error, or the deadline's reason.
 */
import { request as httpRequest, type Agent, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { BoundedKubeConfig } from './bounded-kubeconfig.js';
import { startDeadline } from './deadline.js';
import { timeoutForVerb } from './kube-timeouts.js';
import { withRequest, type KubeCallEnd, type KubeRequest } from './kube-request.js';

/** Answers longer than this are refused (an object cairn wrote comes back: a few KB). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface JsonCall {
  method: 'POST' | 'PATCH';
  /** The path under the server's URL (`/apis/apps/v1/namespaces/<ns>/deployments`). */
  path: string;
  body: unknown;
  contentType?: string;
}

/** What client-node's applyToHTTPSOptions fills in. */
interface HttpsOptions {
  headers?: Record<string, unknown>;
  auth?: string;
  agent?: unknown;
  ca?: unknown;
  cert?: unknown;
  key?: unknown;
  passphrase?: string;
  rejectUnauthorized?: boolean;
  servername?: string;
}

/** Whether `kc` can take plain JSON calls: a BoundedKubeConfig (its pool and bounds) whose cluster is reached without a proxy. */
export function takesJsonCalls(kc: KubeConfig): kc is BoundedKubeConfig {
  const cluster = kc.getCurrentCluster();
  return kc instanceof BoundedKubeConfig && !!cluster?.server && !cluster.proxyUrl;
}

/** The answer read whole (bounded); its JSON, or a rejection shaped as client-node's ApiException (`code`, `body`). */
function readAnswer(res: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const status = res.statusCode ?? 0;
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_ANSWER_BYTES) res.destroy(new Error(`the API server's answer is over ${MAX_ANSWER_BYTES} bytes`));
      else chunks.push(chunk);
    });
    res.on('error', reject);
    // Cut off before its end (the deadline, cairn's shutdown, a reset): rejected, never left waiting.
    res.on('close', () => {
      if (!res.complete) reject(new Error('the API server\'s answer was cut off'));
    });
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (status >= 400) return reject(Object.assign(new Error(`HTTP-Code: ${status} Message: ${text.slice(0, 500)}`), { code: status, body: text }));
      try {
        resolve(text === '' ? null : JSON.parse(text));
      } catch (error) {
        reject(error);
      }
    });
  });
}

/** Sends `call` to the cluster of `kc` (see takesJsonCalls) as `request` (verb, kind, namespace, name: for the bounds, the log and the marks). */
export async function jsonRequest(kc: BoundedKubeConfig, request: KubeRequest, call: JsonCall): Promise<unknown> {
  const { bounds } = kc;
  const deadline = startDeadline(timeoutForVerb(request.verb, bounds.timeouts), bounds.signal);
  const seen: Partial<KubeCallEnd> = { method: call.method };
  const ended = bounds.observe?.(request);
  try {
    const url = new URL(kc.getCurrentCluster()!.server);
    seen.path = `${url.pathname.replace(/\/$/, '')}${call.path}`;
    const opts: HttpsOptions = {};
    // client-node's own (not BoundedKubeConfig's override, which guards the agent it makes): its TLS options and credentials.
    await KubeConfig.prototype.applyToHTTPSOptions.call(kc, opts as never);
    (opts.agent as Agent | undefined)?.destroy();
    const secure = url.protocol === 'https:';
    const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, passphrase: opts.passphrase, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername };
    const shared = bounds.agents!.shared(secure, tls as never);
    const agent = bounds.agents!.forRequest(shared, bounds.timeouts.connectMs, (error) => deadline.fire(error));
    const body = JSON.stringify(call.body);
    const headers: Record<string, string | number> = { accept: 'application/json', 'content-type': call.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) };
    for (const [key, value] of Object.entries(opts.headers ?? {})) if (typeof value === 'string' || typeof value === 'number') headers[key] = value;
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const { protocol, hostname, port } = urlToHttpOptions(url);
    const answer = await new Promise<unknown>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)({ protocol, hostname, port, path: seen.path, method: call.method, headers, agent, signal: deadline.signal }, (res) => {
        seen.status = res.statusCode ?? null;
        readAnswer(res).then(resolve, reject);
      });
      req.on('error', reject);
      req.end(body);
    });
    ended?.({ ...seen, status: seen.status ?? null, failure: null });
    bounds.writes?.record(request, answer);
    return answer;
  } catch (error) {
    ended?.({ ...seen, status: seen.status ?? null, failure: seen.status ? null : deadline.reason ? 'timeout' : bounds.signal?.aborted ? 'cancelled' : 'error' });
    throw withRequest(deadline.reason ?? error, request);
  } finally {
    deadline.clear();
  }
}
