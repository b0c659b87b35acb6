/**
 * The sandbox API server: node:http on loopback speaking the Kubernetes REST API. Checks the bearer
 * token, applies injected faults, records every request, and hands resource requests, exec upgrades
 * and non-resource paths to their handlers.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Clock } from '../clock.js';
import type { KubeletApi } from '../kubelet-api.js';
import { ApiError, sendError, toStatus } from './errors.js';
import { requestInfo, type RequestInfo } from './request-info.js';
import { createCounters, type Counters, type RequestRecord } from './counters.js';
import { createFaults, injectedError, type Faults, type FaultsInternal } from './faults.js';
import { OpenWatches } from './open-watches.js';
import { isPublicPath, serveNonResource } from './non-resource.js';
import { resolveTarget, serveResource } from './resources.js';
import { upgradeExec } from './exec.js';
import { chooseProtocol } from './channels.js';
import { chooseLogProtocol, upgradeLogs } from './log-stream.js';
import type { ApiContext, ApiStore } from './context.js';
import { selfSignedCertificate, type ServingCertificate } from './certificate.js';

export interface ApiServerOptions {
  store: ApiStore;
  clock: Clock;
  /** When set, every request but health checks and /version needs `Authorization: Bearer <token>`. */
  token?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Simulated milliseconds between periodic watch bookmarks. */
  bookmarkIntervalMs?: number;
  faults?: FaultsInternal;
  /**
   * Serve HTTPS: `true` for a fresh self-signed certificate (its PEM is `certificateAuthority`), or a
   * given certificate. kubectl sends a bearer token only over HTTPS; client-node sends it either way.
   */
  tls?: boolean | ServingCertificate;
}

export interface ApiServer {
  url: string;
  port: number;
  /** PEM of the serving certificate to trust, when serving HTTPS. */
  certificateAuthority?: string;
  faults: Faults;
  counters: Counters;
  /** The node agent registers each node's kubelet; returns a function that unregisters it. */
  registerKubelet(nodeName: string, api: KubeletApi): () => void;
  close(): Promise<void>;
}

const unauthorized = () => new ApiError(401, 'Unauthorized', 'Unauthorized');

/** The request's parsed path, or a plain non-resource info for a path that cannot be decoded (answered 400). */
function parse(req: IncomingMessage): { info: RequestInfo; error?: ApiError } {
  try {
    return { info: requestInfo(req.method ?? 'GET', req.url ?? '/') };
  } catch (error) {
    const info: RequestInfo = { isResourceRequest: false, path: req.url ?? '/', verb: (req.method ?? 'GET').toLowerCase(), group: '', version: '', query: new URLSearchParams() };
    return { info, error: new ApiError(400, 'BadRequest', `malformed request path: ${(error as Error).message}`) };
  }
}

function writeRawError(socket: Duplex, error: unknown): number {
  const { status, headers } = toStatus(error);
  const body = JSON.stringify(status);
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${status.code} ${status.reason ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
  return status.code;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { store, clock, token } = options;
  const host = options.host ?? '127.0.0.1';
  const openWatches = new OpenWatches();
  const counters = createCounters(openWatches);
  const faults = options.faults ?? createFaults();
  const kubelets = new Map<string, KubeletApi>();
  const ctx: ApiContext = { store, clock, openWatches, kubelets, bookmarkIntervalMs: options.bookmarkIntervalMs };
  const sockets = new Set<Socket>();
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => chooseProtocol(protocols) });
  const logWss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => chooseLogProtocol(protocols) });
  let serverAddress = '';

  const authorized = (req: IncomingMessage) => !token || req.headers.authorization === `Bearer ${token}`;

  const begin = (req: IncomingMessage, info: RequestInfo): RequestRecord => {
    const record: RequestRecord = {
      time: new Date(),
      method: req.method ?? 'GET',
      path: info.path,
      query: info.query.toString(),
      verb: info.verb,
      group: info.group,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
      userAgent: req.headers['user-agent'],
      code: 0,
      durationMs: 0,
    };
    counters.record(record);
    return record;
  };

  /**
   * Outage, credentials and injected faults, in the order a real request meets them. Resolves
   * 'hang' for a request that must never be answered (its connection is left open, silent).
   */
  async function gate(req: IncomingMessage, info: RequestInfo): Promise<'serve' | 'hang'> {
    if (faults.serviceUnavailable) throw injectedError(503);
    if (!isPublicPath(info.path) && !authorized(req)) throw unauthorized();
    if (isPublicPath(info.path)) return 'serve';
    const { delayMs, error, hang } = faults.decide(info);
    if (hang) return 'hang';
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    if (error) throw error;
    return 'serve';
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const started = performance.now();
    const { info, error: malformed } = parse(req);
    const record = begin(req, info);
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((code: number, ...rest: unknown[]) => {
      counters.answered(record, code, performance.now() - started);
      return writeHead(code, ...rest);
    }) as typeof res.writeHead;
    try {
      if (malformed) throw malformed;
      if ((await gate(req, info)) === 'hang') return;
      if (info.isResourceRequest) await serveResource(ctx, info, req, res);
      else serveNonResource(store.types, serverAddress, info, req, res);
    } catch (error) {
      sendError(res, error);
    }
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const started = performance.now();
    const { info, error: malformed } = parse(req);
    const record = begin(req, info);
    const finish = (code: number) => counters.answered(record, code, performance.now() - started);
    (malformed ? Promise.reject(malformed) : gate(req, info))
      .then(async (verdict) => {
        if (verdict === 'hang') return;
        if (!info.isResourceRequest) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
        const target = resolveTarget(ctx, info);
        if (target.key === '/pods' && target.subresource === 'exec') upgradeExec(ctx, wss, req, socket, head, target, () => undefined);
        else if (target.key === '/pods' && target.subresource === 'log' && info.verb === 'get') await upgradeLogs(ctx, logWss, req, socket, head, target);
        else throw new ApiError(400, 'BadRequest', `upgrade is not supported for ${info.resource}${info.subresource ? `/${info.subresource}` : ''}`);
        finish(101);
      })
      .catch((error: unknown) => finish(writeRawError(socket, error)));
  }

  const certificate = options.tls === true ? selfSignedCertificate('sandbox-apiserver', [host]) : options.tls || undefined;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handle(req, res);
  const server = certificate ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, onRequest) : createServer(onRequest);
  // Idle keep-alive connections stay well past the node agents' own idle close (4 s, node/api.ts): the server
  // never closes one just as a client reuses it. headersTimeout must stay above keepAliveTimeout.
  server.keepAliveTimeout = 30_000;
  server.headersTimeout = 35_000;
  server.on('upgrade', upgrade);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err: Error, socket: Duplex) => socket.destroy());
  server.on('tlsClientError', (_err: Error, socket: Duplex) => socket.destroy());

  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as { port: number }).port);
      });
    });
  const dropConnections = () => {
    for (const socket of sockets) socket.destroy();
  };
  const stopListening = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      dropConnections();
    });

  const port = await listen(options.port ?? 0);
  let outages = 0;
  let closed = false;
  serverAddress = `${host}:${port}`;

  faults.attach({
    dropWatches: (filter, abrupt) => openWatches.close(filter, abrupt),
    compact: () => store.compact(),
    // Overlapping outages: the port closes with the first and reopens with the last.
    refuseConnections: async () => {
      if (outages++ > 0 || closed) return;
      openWatches.close(undefined, true);
      await stopListening();
    },
    acceptConnections: async () => {
      if (--outages > 0 || closed) return;
      await listen(port);
    },
  });

  return {
    url: `${certificate ? 'https' : 'http'}://${host}:${port}`,
    port,
    ...(certificate ? { certificateAuthority: certificate.cert } : {}),
    faults,
    counters,
    registerKubelet(nodeName, api) {
      kubelets.set(nodeName, api);
      return () => {
        if (kubelets.get(nodeName) === api) kubelets.delete(nodeName);
      };
    },
    async close() {
      closed = true;
      openWatches.close(undefined, false);
      for (const server of [wss, logWss]) {
        for (const client of server.clients) client.terminate();
        server.close();
      }
      if (server.listening) await stopListening();
      else dropConnections();
    },
  };
}
