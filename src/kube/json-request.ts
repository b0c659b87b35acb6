/**
 * One API call as a plain JSON request, within the same bounds as every client-node call of a
 * BoundedKubeConfig (bounded-kubeconfig.ts): its verb's deadline and cairn's shutdown, the connect
 * bound on a new connection of the cluster's shared keep-alive pool, the call observer (metrics,
 * traces), the write marks, and failures carrying their request. The TLS options, the agent and the
 * credentials are the ones a generated call gets, applied on every call by the same method
 * (BoundedKubeConfig.applySecurityAuthentication: an exec plugin's token refreshes, the cluster's
 * skip-TLS-verify and server name hold, the pool is the generated calls' own). What it skips is client-node's generated path — the request context, node-fetch,
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
import { HttpMethod, RequestContext, type KubeConfig } from '@kubernetes/client-node';
import { BoundedKubeConfig } from './bounded-kubeconfig.js';
import { guardAgent, startDeadline } from './deadline.js';
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

/** How cairn names itself to the API server (its audit log's userAgent). */
const USER_AGENT = 'cairn';

/**
 * Whether `kc` can take plain JSON calls: a BoundedKubeConfig (its pool and bounds) whose cluster is reached without a
 * proxy, at a server URL without credentials of its own (node-fetch sends those; these calls would not).
 */
export function takesJsonCalls(kc: KubeConfig): kc is BoundedKubeConfig {
  const server = kc.getCurrentCluster()?.server;
  if (!(kc instanceof BoundedKubeConfig) || !server || kc.getCurrentCluster()?.proxyUrl) return false;
  try {
    const url = new URL(server);
    return url.username === '' && url.password === '';
  } catch {
    return false;
  }
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
    // What a generated call gets (BoundedKubeConfig's override): the credentials as headers, the agent — the cluster's
    // shared keep-alive pool for its TLS options.
    const context = new RequestContext(`${url.origin}${seen.path}`, HttpMethod[call.method]);
    await kc.applySecurityAuthentication(context);
    const given = context.getAgent() as Agent | undefined;
    const fire = (error: Error) => deadline.fire(error);
    let agent: Agent | undefined = given;
    if (given && bounds.agents?.isShared(given)) agent = bounds.agents.forRequest(given, bounds.timeouts.connectMs, fire);
    else if (given) guardAgent(given, { connectMs: bounds.timeouts.connectMs, onConnectTimeout: fire });
    const body = JSON.stringify(call.body);
    const headers: Record<string, string | number> = {
      ...context.getHeaders(),
      accept: 'application/json',
      'content-type': call.contentType ?? 'application/json',
      'content-length': Buffer.byteLength(body),
      'user-agent': USER_AGENT,
    };
    const secure = url.protocol === 'https:';
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
