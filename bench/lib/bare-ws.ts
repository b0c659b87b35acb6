/**
 * The floor of a fan-out: a bare WebSocket server (ws on node:http; of cairn only its pure frame builder) that writes one
 * text frame to every open socket in one loop, as cairn's fan-out writes a group's frame (the frame built
 * once, written straight to each TCP socket: src/server/ws-raw-send.ts). What remains between a change
 * and its last subscriber here — one write system call per socket, the subscribers' own reading — is
 * the machine's, not cairn's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type WebSocket, WebSocketServer } from 'ws';
import { textFrame } from '../../src/server/ws-raw-send.js';

export interface BareWs {
  url: string;
  /** Writes `message` to every open socket; when the loop started (absolute, as the subscribers' times). */
  broadcast(message: string): { startedAt: number };
  close(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();

export async function startBareWs(): Promise<BareWs> {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    broadcast(message) {
      const { bytes } = textFrame(message);
      const startedAt = now();
      for (const socket of sockets) (socket as unknown as { _socket: { write(b: Buffer): boolean } })._socket.write(bytes);
      return { startedAt };
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
