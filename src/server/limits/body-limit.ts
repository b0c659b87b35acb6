import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Enforces the request body limit before anything parses the body: a declared Content-Length over
 * `maxBytes` is refused at once; a chunked body is read up to `maxBytes` and refused as soon as it
 * grows past it (else handed on as `req.body`, which yoga's adapter reads instead of the stream).
 * The refusal is a 413 with a GraphQL-shaped JSON body naming the limit. Calls `next` when the body
 * is within the limit.
 */
export function limitRequestBody(req: IncomingMessage, res: ServerResponse, maxBytes: number, next: () => void): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    // Node's parser delivers exactly Content-Length bytes, so the declared length is the body's size.
    if (Number(declared) > maxBytes) return refuse(req, res, maxBytes);
    return next();
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
      return;
    }
    chunks.push(chunk);
  };
  const onEnd = () => {
    (req as IncomingMessage & { body?: Buffer }).body = Buffer.concat(chunks);
    next();
  };
  req.on('data', onData);
  req.once('end', onEnd);
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
