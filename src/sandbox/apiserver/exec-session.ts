/**
 * One exec session on an upgraded WebSocket, in the remotecommand channel protocol the client chose
 * (v1–v5, binary and base64): stdin and resize frames in, stdout/stderr out, and the final Status on
 * channel 3 — Success, or Failure with reason NonZeroExitCode and the exit code as a cause, as the
 * kubelet's streaming server writes it. Shared by the sandbox API server and the node agent's kubelet
 * server (which a real API server proxies exec to).
 */
import { WebSocket } from 'ws';
import type { ExecIO, ExecRequest } from '../kubelet-api.js';
import { toStatus } from './errors.js';
import { AsyncQueue } from './async-queue.js';
import { CLOSE, decodeFrame, encodeFrame, ERROR, RESIZE, statusIsJson, STDERR, STDIN, STDOUT } from './channels.js';

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

export type ExecRun = (io: ExecIO, signal: AbortSignal) => Promise<{ exitCode: number }>;

export function serveExecSession(ws: WebSocket, request: ExecRequest, run: ExecRun, onDone: () => void = () => undefined): void {
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

  const io: ExecIO = {
    stdin,
    resizes,
    stdout: (chunk) => {
      if (request.stdout) send(STDOUT, chunk);
    },
    stderr: (chunk) => {
      if (request.stderr) send(STDERR, chunk);
      else if (request.tty && request.stdout) send(STDOUT, chunk);
    },
  };
  Promise.resolve()
    .then(() => run(io, abort.signal))
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
    })
    // Sending the status failed (the socket broke meanwhile): end it as an internal error rather than leave a rejection unseen.
    .catch(() => {
      if (ws.readyState === WebSocket.OPEN) ws.close(1011);
    });
}
