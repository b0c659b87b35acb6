/**
 * The node agent's frequent API calls (pod status writes, events, a namespace's Services) as plain HTTP
 * requests on one keep-alive connection pool: JSON in, JSON out. client-node's generated clients turn every
 * answer into typed models (each returned pod walked field by field) and go through node-fetch; for the
 * writes a kubelet makes several times per pod that was most of the agent's CPU (with 3,000 pods starting:
 * a third of it). The kubeconfig's TLS and credentials are client-node's (applyToHTTPSOptions), read once.
 *
 * A failed call rejects as client-node's do: `code` the HTTP status, `body` the answer's text.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
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

function restError(message: string, code: number | undefined, body: string): RestError {
  return Object.assign(new Error(message), { code, body });
}

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
  res.on('error', reject);
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
  const made: HttpAgent[] = [];

  const targetOf = async (): Promise<Target> => {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig names no cluster server');
    const url = new URL(server);
    const opts: RequestOptions & { agent?: unknown; ca?: unknown; cert?: unknown; key?: unknown; rejectUnauthorized?: boolean; servername?: string } = {};
    await kc.applyToHTTPSOptions(opts as never);
    // client-node hands a fresh (one-shot) agent with the TLS options: one kept-alive agent with the same options instead.
    (opts.agent as HttpAgent | undefined)?.destroy();
    const secure = url.protocol === 'https:';
    const common = { keepAlive: true, timeout: IDLE_SOCKET_MS };
    const agent = secure
      ? new HttpsAgent({ ...common, ca: opts.ca as never, cert: opts.cert as never, key: opts.key as never, ...(opts.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: opts.rejectUnauthorized }), ...(opts.servername ? { servername: opts.servername } : {}) })
      : new HttpAgent(common);
    made.push(agent);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [key, value] of Object.entries(opts.headers ?? {})) if (typeof value === 'string' || typeof value === 'number') headers[key] = String(value);
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const base = url.pathname.replace(/\/$/, '');
    return { options: { protocol: url.protocol, hostname: url.hostname, port: url.port, headers, path: base }, secure, agent };
  };

  return {
    async call<T>(method: string, path: string, options: { body?: unknown; contentType?: string; discard?: boolean } = {}): Promise<T> {
      if (closed) throw new Error('the node agent stopped');
      target ??= targetOf().catch((error: unknown) => {
        target = null;
        throw error;
      });
      const t = await target;
      const body = options.body === undefined ? undefined : JSON.stringify(options.body);
      const headers: Record<string, string | number> = { ...(t.options.headers as Record<string, string>) };
      if (body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(body);
      }
      const send = t.secure ? httpsRequest : httpRequest;
      return new Promise<T>((resolve, reject) => {
        const req = send({ ...t.options, path: `${t.options.path}${path}`, method, headers, agent: t.agent, signal: AbortSignal.timeout(callTimeoutMs) }, (res) =>
          answer<T>(res, options.discard ?? false, resolve, reject),
        );
        req.on('error', reject);
        req.end(body);
      });
    },
    close() {
      closed = true;
      for (const agent of made) agent.destroy();
    },
  };
}
