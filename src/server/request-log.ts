import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { pathOf } from './request-path.js';

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
 * it ends (plus a debug line when it starts): request ID, method, path (never the target's scheme, host or
 * query string, which may hold credentials or variables: see loggedPath), status, duration, and — when the
 * GraphQL layer noted them — the operation's name and type and the token's name. Headers, bodies and token secrets are never logged.
 */
export function logRequest(logger: Logger, req: IncomingMessage, res: ServerResponse): RequestDetails {
  const started = performance.now();
  const known: RequestDetails = { requestId: requestIdOf(req.headers[REQUEST_ID_HEADER]) };
  details.set(req, known);
  res.setHeader(REQUEST_ID_HEADER, known.requestId);
  logger.debug({ requestId: known.requestId, method: req.method, path: loggedPath(req.url) }, 'request started');
  res.once('close', () => {
    const fields = {
      requestId: known.requestId,
      method: req.method,
      path: loggedPath(req.url),
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

/** A logged path keeps this many characters (a request line can be up to node's 16 KiB header limit). */
const MAX_LOGGED_PATH = 512;

/**
 * The path to log for a request target: its path alone, as the router saw it (request-path.ts) — an
 * absolute-form target (`GET http://user:secret@host/graphql?token=…`, as proxies send) is logged as
 * `/graphql`, never with its scheme, host, credentials, query or fragment — bounded in length. A target
 * that is not a URL at all is logged as `*` (`OPTIONS *`) or `(unparsable)`, never verbatim.
 */
export function loggedPath(target: string | undefined): string {
  const path = pathOf(target);
  if (path === null) return target === '*' ? '*' : '(unparsable)';
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}
