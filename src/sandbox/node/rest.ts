/**
 * The node agent's frequent API calls (pod status writes, events, a namespace's Services) as plain HTTP
 * requests on one keep-alive connection pool: JSON in, JSON out. client-node's generated clients turn every
 * answer into typed models (each returned pod walked field by field) and go through node-fetch; for the
 * writes a kubelet makes several times per pod that was most of the agent's CPU (with 3,000 pods starting:
 * a third of it). The kubeconfig's TLS and credentials are client-node's (applyToHTTPSOptions): read once,
 * and again after a 401 (a credential that expired: an exec plugin's, a token file's), the call then sent
 * once more. A kubeconfig with a proxy keeps client-node's proxy agent (no pool).
 *
 * A failed call rejects as client-node's do: `code` the HTTP status (undefined when no answer came: a
 * connection that failed, the call's time bound), `body` the answer's text.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';

/** An idle connection is closed after this: before the API server's own keep-alive timeout. */
const IDLE_SOCKET_MS = 4_000;
/** Answers longer than this are refused (a namespace's Services, an event: a few KB). */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

export interface RestError extends Error {
  code: number | undefined;
  body: string;
}

export interface Rest {
  /** Sends `body` (JSON) with `contentType`; the answer's JSON, or undefined with `discard` (its bytes read and dropped). */
  call<T>(method: string, path: string, options?: { body?: unknown; contentType?: string; discard?: boolean }): Promise<T>;
  close(): void;
}

interface Target {
  options: RequestOptions;
  secure: boolean;
  agent: HttpAgent;
}

function restError(message: string, code: number | undefined, body: string, cause?: unknown): RestError {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code, body });
}

/** A failure without an answer (a connection refused or reset, the time bound): no HTTP status, as client-node's. */
const noAnswer = (error: unknown): RestError => restError(error instanceof Error ? error.message : String(error), undefined, '', error);

/** Reads the answer whole (bounded), then settles: its JSON, or a RestError for a status of 400 or more. */
function answer<T>(res: IncomingMessage, discard: boolean, resolve: (v: T) => void, reject: (e: unknown) => void): void {
  const status = res.statusCode ?? 0;
  const keep = !discard || status >= 400;
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      res.destroy(restError(`the API server's answer is over ${MAX_ANSWER_BYTES} bytes`, undefined, ''));
      return;
    }
    if (keep) chunks.push(chunk);
  });
  res.on('error', (error) => reject(noAnswer(error)));
  // Cut off before its end (the call's bound, a reset): rejected, never left waiting.
  res.on('close', () => {
    if (!res.complete) reject(noAnswer(new Error("the API server's answer was cut off")));
  });
  res.on('end', () => {
    const text = keep ? Buffer.concat(chunks).toString('utf8') : '';
    if (status >= 400) return reject(restError(`HTTP-Code: ${status} Message: ${text.slice(0, 500)}`, status, text));
    if (discard) return resolve(undefined as T);
    try {
      resolve(JSON.parse(text) as T);
    } catch (error) {
      reject(error);
    }
  });
}

export function createRest(kc: KubeConfig, callTimeoutMs: number): Rest {
  let target: Promise<Target> | null = null;
  let closed = false;
  const made = new Set<HttpAgent>();

  const targetOf = async (): Promise<Target> => {
    const cluster = kc.getCurrentCluster();
    if (!cluster?.server) throw new Error('the kubeconfig names no cluster server');
    const url = new URL(cluster.server);
    const opts: RequestOptions & { agent?: unknown; ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean; servername?: string } = {};
    await kc.applyToHTTPSOptions(opts as never);
    const fresh = opts.agent as HttpAgent | undefined;
    const secure = url.protocol === 'https:';
    let agent: HttpAgent;
    if (cluster.proxyUrl && fresh) agent = fresh; // client-node's proxy agent, as it is
    else {
      // client-node hands a fresh (one-shot) agent with the TLS options: one kept-alive agent with the same options instead.
      fresh?.destroy();
      const common = { keepAlive: true, timeout: IDLE_SOCKET_MS };
      agent = secure
        ? new HttpsAgent({ ...common, ca: opts.ca as never, cert: opts.cert as never, key: opts.key as never, ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }), ...(opts.servername ? { servername: opts.servername } : {}) })
        : new HttpAgent(common);
    }
    if (closed) {
      agent.destroy();
      throw new Error('the node agent stopped');
    }
    made.add(agent);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [key, value] of Object.entries(opts.headers ?? {})) if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value);
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    // urlToHttpOptions: an IPv6 host without its brackets, as http.request takes it.
    const { protocol, hostname, port } = urlToHttpOptions(url);
    return { options: { protocol, hostname, port, headers, path: url.pathname.replace(/\/$/, '') }, secure, agent };
  };

  /** The target as last read (the one `target` resolved to). */
  let known: Target | null = null;
  /** The target, read once (again after `forget`). */
  const current = (): Promise<Target> =>
    (target ??= targetOf().then(
      (t) => (known = t),
      (error: unknown) => {
        target = null;
        throw error;
      },
    ));

  /** Drops the target read from the kubeconfig (its credentials were refused): the next call reads it again. */
  const forget = (stale: Target) => {
    if (known !== stale) return; // already read again
    target = null;
    known = null;
    made.delete(stale.agent);
    stale.agent.destroy();
  };

  const send = <T>(t: Target, method: string, path: string, body: string | undefined, options: { contentType?: string; discard?: boolean }) =>
    new Promise<T>((resolve, reject) => {
      const headers: Record<string, string | number> = { ...(t.options.headers as Record<string, string>) };
      if (body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const req = (t.secure ? httpsRequest : httpRequest)({ ...t.options, path: `${t.options.path}${path}`, method, headers, agent: t.agent }, (res) =>
        answer<T>(res, options.discard ?? false, settle(resolve), settle(reject)),
      );
      // The call's whole time, answer included (cleared when it settles).
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${callTimeoutMs} ms`)), callTimeoutMs);
      function settle<V>(fn: (v: V) => void) {
        return (v: V) => {
          clearTimeout(timer);
          fn(v);
        };
      }
      req.on('error', (error) => settle(reject)(noAnswer(error)));
      req.end(body);
    });

  return {
    async call<T>(method: string, path: string, options: { body?: unknown; contentType?: string; discard?: boolean } = {}): Promise<T> {
      if (closed) throw new Error('the node agent stopped');
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const t = await current();
      if (closed) throw new Error('the node agent stopped');
      try {
        return await send<T>(t, method, path, body, options);
      } catch (error) {
        if ((error as RestError).code !== 401 || closed) throw error;
        forget(t);
        return send<T>(await current(), method, path, body, options);
      }
    },
    close() {
      closed = true;
      for (const agent of made) agent.destroy();
      made.clear();
    },
  };
}
