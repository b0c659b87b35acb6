/**
 * pods/log over WebSocket, as kube-apiserver streams any resource stream to a WebSocket client
 * (apiserver handlers → wsstream.NewReader with NewDefaultReaderProtocols): the log is opened first
 * (errors are plain HTTP Status responses), then the connection is upgraded and each chunk read
 * goes out as one message — a binary message for `binary.k8s.io` (or no protocol), a base64 text
 * message for `base64.binary.k8s.io` — without a channel byte; the server closes the socket when
 * the log ends. Messages from the client are ignored.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, type WebSocketServer } from 'ws';
import { ApiError } from './errors.js';
import { logChunks, openLogs } from './logs.js';
import type { ApiContext, Target } from './context.js';

/** The reader protocols wsstream serves; the empty protocol (none offered) means binary. */
export const LOG_PROTOCOLS = ['binary.k8s.io', 'base64.binary.k8s.io'] as const;

/** The first offered protocol that is served ('' when none is offered), or false. */
export function chooseLogProtocol(offered: Iterable<string>): string | false {
  const list = [...offered];
  if (list.length === 0) return '';
  return list.find((p) => (LOG_PROTOCOLS as readonly string[]).includes(p)) ?? false;
}

export function encodeLogMessage(protocol: string, chunk: Buffer): Buffer | string {
  return protocol === 'base64.binary.k8s.io' ? chunk.toString('base64') : chunk;
}

/** Opens the log (throwing a Status error before any upgrade), then upgrades and streams it. */
export async function upgradeLogs(ctx: ApiContext, wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer, t: Target): Promise<void> {
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const chosen = chooseLogProtocol(offered);
  if (chosen === false) throw new ApiError(400, 'BadRequest', `requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${LOG_PROTOCOLS.join(' ')}]`);
  const abort = new AbortController();
  const onGone = () => abort.abort(new Error('client went away'));
  socket.once('close', onGone);
  let log: Awaited<ReturnType<typeof openLogs>>;
  try {
    log = await openLogs(ctx, t, abort.signal);
  } catch (error) {
    socket.off('close', onGone);
    abort.abort();
    throw error;
  }
  if (abort.signal.aborted) return;
  wss.handleUpgrade(req, socket, head, (ws) => {
    socket.off('close', onGone);
    ws.on('close', onGone);
    ws.on('message', () => undefined);
    void (async () => {
      try {
        if (log) for await (const chunk of logChunks(log.lines, log.options, abort.signal)) {
          if (ws.readyState !== WebSocket.OPEN) break;
          ws.send(encodeLogMessage(chosen, chunk), { binary: chosen !== 'base64.binary.k8s.io' });
        }
      } catch {
        /* the stream failed mid-way: the socket closes, as wsstream's copy ends */
      } finally {
        abort.abort();
        if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      }
    })();
  });
}
