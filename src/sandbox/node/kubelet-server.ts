/**
 * A node's kubelet port: the HTTPS server a real API server connects to for `pods/log` and
 * `pods/exec` (it dials node.status.addresses + daemonEndpoints.kubeletEndpoint.Port). Serves
 * `GET /containerLogs/{namespace}/{pod}/{container}`, the upgraded `/exec/{namespace}/{pod}/{container}`
 * and the kubelet's own endpoints (`/pods`, `/healthz` …, see kubelet-endpoints.ts) from the node's KubeletApi, with the same log writer and exec session code as the sandbox API server.
 * Errors are answered as the kubelet answers them: the status code and the message as plain text
 * (the API server turns them into a Status).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { KubeletError, type ExecRequest, type KubeletApi } from '../kubelet-api.js';
import { selfSignedCertificate } from '../apiserver/certificate.js';
import { chooseProtocol } from '../apiserver/channels.js';
import { ApiError } from '../apiserver/errors.js';
import { isTrue } from '../apiserver/request-info.js';
import { serveExecSession } from '../apiserver/exec-session.js';
import { logOptions, writeLogLines } from '../apiserver/logs.js';

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

interface Route {
  verb: 'containerLogs' | 'exec';
  namespace: string;
  pod: string;
  container: string;
  query: URLSearchParams;
}

function route(req: IncomingMessage): Route | undefined {
  const url = new URL(req.url ?? '/', 'https://kubelet');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length !== 4 || (parts[0] !== 'containerLogs' && parts[0] !== 'exec')) return undefined;
  return { verb: parts[0], namespace: parts[1]!, pod: parts[2]!, container: parts[3]!, query: url.searchParams };
}

/**
 * The kubelet's exec query: the API server forwards PodExecOptions as `command` (repeated) and
 * `input`, `output`, `error`, `tty` set to "1" (core/v1 ExecStdinParam …), not the API's stdin/stdout/stderr.
 */
export function kubeletExecRequest(q: URLSearchParams, container: string): ExecRequest {
  const command = q.getAll('command');
  if (command.length === 0) throw new KubeletError(400, 'BadRequest', 'you must specify at least 1 command');
  const request: ExecRequest = { container, command, stdin: isTrue(q.get('input')), stdout: isTrue(q.get('output')), stderr: isTrue(q.get('error')), tty: isTrue(q.get('tty')) };
  if (!request.stdin && !request.stdout && !request.stderr) throw new KubeletError(400, 'BadRequest', 'you must specify at least one of stdin, stdout, stderr');
  if (request.tty && request.stderr) request.stderr = false;
  return request;
}

function errorCode(error: unknown): { code: number; message: string } {
  if (error instanceof KubeletError || error instanceof ApiError) return { code: error.code, message: error.message };
  return { code: 500, message: error instanceof Error ? error.message : String(error) };
}

function plain(res: ServerResponse, code: number, message: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(`${message}\n`);
}

/** Serves `kubelet()` (looked up per request) on 127.0.0.1 at a free port. */
export async function startKubeletServer(kubelet: () => KubeletApi, host = '127.0.0.1'): Promise<KubeletServer> {
  const certificate = selfSignedCertificate('kubelet', [host], ['localhost']);
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => chooseProtocol(offered) });

  async function onRequest(req: IncomingMessage, res: ServerResponse) {
    const r = route(req);
    if (!r) {
      // The kubelet's own endpoints (/pods, /healthz, /metrics, /logs/, /stats/summary), as nodes/proxy reaches them.
      const answer = await kubelet().kubeletHttp?.({ method: req.method ?? 'GET', path: req.url ?? '/', headers: {}, body: Buffer.alloc(0) });
      if (!answer || answer.kind === 'refused') return plain(res, 404, '404 page not found');
      res.writeHead(answer.status, answer.headers);
      return void res.end(req.method === 'HEAD' ? undefined : answer.body);
    }
    if (r.verb !== 'containerLogs' || req.method !== 'GET') return plain(res, 404, '404 page not found');
    const abort = new AbortController();
    const onGone = () => abort.abort(new Error('client went away'));
    res.on('close', onGone);
    try {
      const options = logOptions(r.query, r.container);
      const lines = await kubelet().logs(r.namespace, r.pod, options, abort.signal);
      await writeLogLines(res, lines, options, abort.signal);
    } catch (error) {
      const { code, message } = errorCode(error);
      plain(res, code, message);
    } finally {
      res.off('close', onGone);
      abort.abort();
    }
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const r = route(req);
    try {
      if (!r || r.verb !== 'exec') throw new KubeletError(404, 'NotFound', '404 page not found');
      const request = kubeletExecRequest(r.query, r.container);
      const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
      if (chooseProtocol(offered) === false) throw new KubeletError(400, 'BadRequest', `requested protocol(s) are not supported: ${offered.join(', ')}`);
      wss.handleUpgrade(req, socket, head, (ws) => {
        serveExecSession(ws, request, (io, signal) => kubelet().exec(r.namespace, r.pod, request, io, signal));
      });
    } catch (error) {
      const { code, message } = errorCode(error);
      const body = `${message}\n`;
      socket.end(`HTTP/1.1 ${code} ${code === 404 ? 'Not Found' : 'Bad Request'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
  }

  const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => void onRequest(req, res));
  server.on('upgrade', onUpgrade);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
