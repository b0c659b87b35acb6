import type { IncomingMessage, ServerResponse } from 'node:http';

/** How deep a JSON request body may nest arrays and objects: an operation's variables need a handful of levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * Refuses a JSON body that nests arrays and objects deeper than MAX_JSON_DEPTH, before it is parsed:
 * JSON.parse spends ~0.1 s on 1 MB of nested `[` (and fails on it), a scan of the bytes a hundredth
 * of that. Answers 400 with a GraphQL-shaped error (`JSON_TOO_DEEP`, the limit) and returns true; else
 * false. Bodies that are not JSON are left to yoga.
 */
export function refuseDeepJson(req: IncomingMessage, res: ServerResponse, body: Buffer): boolean {
  if (!(req.headers['content-type'] ?? '').includes('json')) return false;
  if (!nestsDeeperThan(body, MAX_JSON_DEPTH)) return false;
  const text = JSON.stringify({
    errors: [
      {
        message: `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep: it is not read.`,
        extensions: { code: 'JSON_TOO_DEEP', limit: MAX_JSON_DEPTH },
      },
    ],
  });
  res.writeHead(400, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
  return true;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/** Whether the JSON text in `bytes` opens more than `max` arrays/objects at once (brackets inside strings do not count). */
export function nestsDeeperThan(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > max) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}
