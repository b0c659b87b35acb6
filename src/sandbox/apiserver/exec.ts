/**
 * pods/exec over WebSocket: checked here (pod, container, command, node), then the upgraded
 * connection is bridged to the node's kubelet as one exec session (exec-session.ts).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { ExecRequest } from '../kubelet-api.js';
import { badRequest, ApiError } from './errors.js';
import { isTrue } from './request-info.js';
import { getOrNotFound } from './objects.js';
import { kubeletFor, resolveContainer } from './pod-containers.js';
import { chooseProtocol } from './channels.js';
import { serveExecSession } from './exec-session.js';
import type { ApiContext, Target } from './context.js';

/** The exec request in a query (`command` repeated, stdin/stdout/stderr/tty flags), checked as the API server and kubelet check it. */
export function execRequestFrom(q: URLSearchParams, container: string): ExecRequest {
  const command = q.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  const request: ExecRequest = { container, command, stdin: isTrue(q.get('stdin')), stdout: isTrue(q.get('stdout')), stderr: isTrue(q.get('stderr')), tty: isTrue(q.get('tty')) };
  if (!request.stdin && !request.stdout && !request.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
  if (request.tty && request.stderr) request.stderr = false; // with a TTY, stderr is merged into stdout
  return request;
}

/** Checks the request before the upgrade (errors become plain HTTP Status responses), then upgrades and runs it. */
export function upgradeExec(ctx: ApiContext, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, t: Target, onDone: () => void): void {
  const pod = getOrNotFound(ctx, t);
  const container = resolveContainer(pod, t.query.get('container') ?? undefined);
  const request = execRequestFrom(t.query, container);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${t.name} does not have a host assigned`);
  const kubelet = kubeletFor(ctx, nodeName, `/exec/${t.namespace}/${t.name}/${container}`);
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  if (chooseProtocol(offered) === false) throw new ApiError(400, 'BadRequest', `requested protocol(s) are not supported: ${offered.join(', ')}`);

  wss.handleUpgrade(req, socket, head, (ws) => {
    serveExecSession(ws, request, (io, signal) => kubelet.exec(t.namespace!, t.name!, request, io, signal), onDone);
  });
}
