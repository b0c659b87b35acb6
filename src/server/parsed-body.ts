import type { IncomingMessage } from 'node:http';

/** The media types yoga reads as a JSON request (graphql-yoga's request-parser/post-json.ts and its isContentTypeMatch). */
const JSON_TYPES = ['application/json', 'application/graphql+json'];

/**
 * Hands yoga a JSON body already parsed: its adapter then answers `request.json()` with this object
 * instead of streaming the buffer through a Fetch body (a stream pipeline whose end aborts its own
 * AbortController, with a DOMException, for every request). Only for a body yoga itself would parse as
 * JSON (the same content-type match) whose text is an object with at least one key (what the adapter
 * takes as parsed; it lists the keys); anything else — not JSON, invalid JSON, a primitive, `{}`, an
 * array (a batch, which yoga refuses: listing a large array's keys would cost more than streaming it) —
 * keeps the raw body, so yoga answers it with its own error, as before. yoga's own body-size check
 * (createYoga's maxRequestBodySize) no longer sees such a body: cairn's limit, checked before
 * (limits/body-limit.ts), is the one that holds (yoga-app.ts gives yoga the same). Returns whether the body was replaced.
 */
export function handParsedJson(req: IncomingMessage, body: Buffer): boolean {
  const type = req.headers['content-type']?.split(',')[0];
  if (!type || !JSON_TYPES.some((t) => type === t || type.startsWith(`${t};`))) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !hasKey(parsed)) return false;
  (req as IncomingMessage & { body?: unknown }).body = parsed;
  return true;
}

function hasKey(value: object): boolean {
  for (const key in value) if (Object.prototype.hasOwnProperty.call(value, key)) return true;
  return false;
}
