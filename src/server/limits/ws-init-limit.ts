import type { WebSocket } from 'ws';

/** The largest message a graphql-ws client may send before its connection_init is accepted: a token and a few parameters fit in far less. */
export const PRE_AUTH_MESSAGE_BYTES = 16 * 1024;

/**
 * graphql-ws parses every message as JSON before it looks at it, and a client is anonymous until its
 * connection_init is accepted: an anonymous client could make the server parse up to the message size
 * limit (1 MB of nested `[` costs ~0.1 s of CPU) per message. Until `authenticated(socket)` says
 * otherwise, a message over PRE_AUTH_MESSAGE_BYTES closes the socket with 1009 (message too big)
 * before anything parses it. Call on each new socket before graphql-ws sees it.
 */
export function limitMessagesBeforeAuth(socket: WebSocket, authenticated: (socket: WebSocket) => boolean, onRefused: (bytes: number) => void): void {
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'message' && !authenticated(socket)) {
      const bytes = sizeOf(args[0]);
      if (bytes > PRE_AUTH_MESSAGE_BYTES) {
        onRefused(bytes);
        socket.close(1009, 'Message too big before connection_init was accepted');
        return true;
      }
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
}

function sizeOf(data: unknown): number {
  if (Buffer.isBuffer(data)) return data.length;
  if (Array.isArray(data)) return data.reduce((total: number, part: Buffer) => total + part.length, 0);
  if (data instanceof ArrayBuffer) return data.byteLength;
  return 0;
}
