import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Enforces the request body limit before anything parses the body: a declared Content-Length over
 * `maxBytes` is refused at once; otherwise the body is read up to `maxBytes` (refused as soon as a
 * chunked one grows past it) and handed on as `req.body` (which yoga's adapter reads instead of the
 * stream) and to `next`, so that the next check can look at it before it is parsed. `req.body` is an
 * async iterable of the one buffer, not the buffer itself: the adapter runs `Object.keys()` on what it
 * finds there, which for a buffer lists every byte (a 1 MB body cost ~10 ms). The refusal is a
 * 413 with a GraphQL-shaped JSON body naming the limit (then `onRefused`). GET, HEAD and OPTIONS have no body: `next()` at once.
 */
export function limitRequestBody(
  req: IncomingMessage,
  res: ServerResponse,
  maxBytes: number,
  next: (body?: Buffer) => void,
  onRefused: () => void = () => {},
): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const declared = req.headers['content-length'];
  // Node's parser delivers exactly Content-Length bytes, so the declared length is the body's size.
  if (declared !== undefined && Number(declared) > maxBytes) {
    refuse(req, res, maxBytes);
    return onRefused();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size > maxBytes) {
      req.off('data', onData);
      req.off('end', onEnd);
      chunks.length = 0;
      refuse(req, res, maxBytes);
      onRefused();
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    (req as IncomingMessage & { body?: unknown }).body = asBody(body);
    next(body);
  };
  req.on('data', onData);
  req.once('end', onEnd);
}

/** `body` as a request body the adapter takes as it is (it must have an own enumerable key). */
function asBody(body: Buffer) {
  return {
    bytes: body.length,
    async *[Symbol.asyncIterator]() {
      yield body;
    },
  };
}

/** The 413 response: the rest of the body is read and dropped (so the client sees the answer), then the connection closes. */
function refuse(req: IncomingMessage, res: ServerResponse, maxBytes: number): void {
  const body = JSON.stringify({
    errors: [
      {
        message: `Request body too large: the limit is ${maxBytes} bytes (CAIRN_MAX_BODY_BYTES).`,
        extensions: { code: 'PAYLOAD_TOO_LARGE', limit: maxBytes },
      },
    ],
  });
  res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
  req.resume();
}
