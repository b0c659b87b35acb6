import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/** The header that carries a request's ID, in and out. */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * An incoming request ID is kept when it is 1 to 128 characters of letters, digits and `-_.:/+=@~` (what
 * proxies and tracing systems put there: UUIDs, W3C trace IDs, ULIDs, base64); anything else — too long,
 * spaces, control characters, several values — is replaced by a fresh one, so that no client can forge
 * log structure or bloat every line.
 */
const SANE_REQUEST_ID = /^[A-Za-z0-9\-_.:/+=@~]{1,128}$/;
/** Operation names are GraphQL names (bounded by the query's token limit anyway); the log keeps this many characters. */
const MAX_OPERATION_NAME = 100;

/** What the layers above the HTTP server learn about a request, for its log line. */
export interface RequestDetails {
  requestId: string;
  /** The GraphQL operation's name, when the request names one. */
  operationName?: string;
  /** `query`, `mutation` or `subscription`, once the document is parsed. */
  operationType?: string;
  /** The API token's name, once the request is authenticated. */
  tokenName?: string;
}

const details = new WeakMap<IncomingMessage, RequestDetails>();

/** The request's ID: the incoming `x-request-id` when it is sane, else a fresh UUID. */
export function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/** What is known of `req` so far (undefined for a request the server did not log, e.g. a WebSocket upgrade). */
export function requestDetails(req: IncomingMessage | undefined): RequestDetails | undefined {
  return req ? details.get(req) : undefined;
}

/** Records the operation's name and type (each when known) for the request's log line. */
export function noteOperation(req: IncomingMessage | undefined, operation: { name?: string | null; type?: string }): void {
  const known = requestDetails(req);
  if (!known) return;
  if (typeof operation.name === 'string' && operation.name) known.operationName = operation.name.slice(0, MAX_OPERATION_NAME);
  if (operation.type) known.operationType = operation.type;
}

/** Records the name of the token that authenticated the request. */
export function noteToken(req: IncomingMessage | undefined, viewer: { name: string } | null | undefined): void {
  const known = requestDetails(req);
  if (known && viewer) known.tokenName = viewer.name;
}

/**
 * Gives the request its ID (echoed at once as the `x-request-id` response header) and logs one line when
 * it ends (plus a debug line when it starts): request ID, method, path (never the query string, which may
 * hold variables), status, duration, and — when the GraphQL layer noted them — the operation's name and
 * type and the token's name. Headers, bodies and token secrets are never logged.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): RequestDetails {
  const started = performance.now();
  const known: RequestDetails = { requestId: requestIdOf(req.headers[REQUEST_ID_HEADER]) };
  details.set(req, known);
  res.setHeader(REQUEST_ID_HEADER, known.requestId);
  logger.debug({ requestId: known.requestId, method: req.method, path: pathOf(req.url) }, 'request started');
  res.once('close', () => {
    const fields = {
      requestId: known.requestId,
      method: req.method,
      path: pathOf(req.url),
      status: res.statusCode,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      ...(known.operationName ? { operationName: known.operationName } : {}),
      ...(known.operationType ? { operationType: known.operationType } : {}),
      ...(known.tokenName ? { tokenName: known.tokenName } : {}),
      ...(res.writableFinished ? {} : { aborted: true }),
    };
    logger.info(fields, 'request');
  });
  return known;
}

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const end = url.search(/[?#]/);
  return end === -1 ? url : url.slice(0, end);
}
