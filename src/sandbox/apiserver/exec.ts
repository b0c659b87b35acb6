/**
 * pods/exec over WebSocket: checked here (pod, container, command, node), then the upgraded
 * connection is bridged to the node's kubelet with the remotecommand channel protocol (v1–v5,
 * binary and base64). Channel 3 carries the final Status: Success, or Failure with reason
 * NonZeroExitCode and the exit code as a cause, as the kubelet's streaming server writes it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, type WebSocketServer } from 'ws';
import type { ExecRequest } from '../kubelet-api.js';
import { toStatus, badRequest, ApiError } from './errors.js';
import { isTrue } from './request-info.js';
import { getOrNotFound } from './objects.js';
import { kubeletFor, resolveContainer } from './pod-containers.js';
import { AsyncQueue } from './async-queue.js';
import { CLOSE, decodeFrame, encodeFrame, ERROR, RESIZE, statusIsJson, STDERR, STDIN, STDOUT, chooseProtocol } from './channels.js';
import type { ApiContext, Target } from './context.js';

function execRequest(t: Target, container: string): ExecRequest {
  const q = t.query;
  const command = q.getAll('command');
  if (command.length === 0) throw badRequest('you must specify at least 1 command');
  const request: ExecRequest = { container, command, stdin: isTrue(q.get('stdin')), stdout: isTrue(q.get('stdout')), stderr: isTrue(q.get('stderr')), tty: isTrue(q.get('tty')) };
  if (!request.stdin && !request.stdout && !request.stderr) throw badRequest('you must specify at least one of stdin, stdout, stderr');
  if (request.tty && request.stderr) request.stderr = false; // with a TTY, stderr is merged into stdout
  return request;
}

function exitStatus(command: string[], exitCode: number) {
  if (exitCode === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] },
  };
}

/** Checks the request before the upgrade (errors become plain HTTP Status responses), then upgrades and runs it. */
export function upgradeExec(ctx: ApiContext, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, t: Target, onDone: () => void): void {
  const pod = getOrNotFound(ctx, t);
  const container = resolveContainer(pod, t.query.get('container') ?? undefined);
  const request = execRequest(t, container);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) throw badRequest(`pod ${t.name} does not have a host assigned`);
  const kubelet = kubeletFor(ctx, nodeName, `/exec/${t.namespace}/${t.name}/${container}`);
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  if (chooseProtocol(offered) === false) throw new ApiError(400, 'BadRequest', `requested protocol(s) are not supported: ${offered.join(', ')}`);

  wss.handleUpgrade(req, socket, head, (ws) => {
    const protocol = ws.protocol || 'channel.k8s.io';
    const abort = new AbortController();
    const stdin = request.stdin ? new AsyncQueue<Buffer>() : undefined;
    const resizes = request.tty ? new AsyncQueue<{ width: number; height: number }>() : undefined;
    const send = (channel: number, data: Buffer | string) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeFrame(protocol, channel, Buffer.from(data)));
    };
    ws.on('message', (message: Buffer, isBinary: boolean) => {
      const frame = decodeFrame(protocol, Buffer.isBuffer(message) ? message : Buffer.from(message as ArrayBuffer), isBinary);
      if (!frame) return;
      if (frame.channel === STDIN) {
        if (frame.data.length > 0) stdin?.push(Buffer.from(frame.data));
      } else if (frame.channel === RESIZE) {
        try {
          const size = JSON.parse(frame.data.toString('utf8')) as { Width?: number; Height?: number };
          resizes?.push({ width: size.Width ?? 0, height: size.Height ?? 0 });
        } catch {
          /* a malformed resize is ignored, as the kubelet does */
        }
      } else if (frame.channel === CLOSE && frame.data[0] === STDIN) {
        stdin?.end();
      }
    });
    ws.on('close', () => {
      stdin?.end();
      resizes?.end();
      abort.abort(new Error('connection closed'));
      onDone();
    });
    // The streaming server signals readiness with an empty message on the lowest writable channel.
    send(request.stdout ? STDOUT : request.stderr ? STDERR : ERROR, Buffer.alloc(0));

    const io = {
      stdin,
      resizes,
      stdout: (chunk: Buffer | string) => {
        if (request.stdout) send(STDOUT, chunk);
      },
      stderr: (chunk: Buffer | string) => {
        if (request.stderr) send(STDERR, chunk);
        else if (request.tty && request.stdout) send(STDOUT, chunk);
      },
    };
    Promise.resolve()
      .then(() => kubelet.exec(t.namespace!, t.name!, request, io, abort.signal))
      .then(
        ({ exitCode }) => exitStatus(request.command, exitCode),
        (error: unknown) => {
          const { status } = toStatus(error);
          return { metadata: {}, status: 'Failure', message: status.message, reason: status.reason, code: status.code };
        },
      )
      .then((status) => {
        if (statusIsJson(protocol)) send(ERROR, JSON.stringify(status));
        else if (status.status !== 'Success') send(ERROR, status.message ?? 'error');
        if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      });
  });
}
