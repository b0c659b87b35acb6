import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Context } from '../../schema/context.js';
import { GRAPHQL_PATH, type ContextFactory } from '../types.js';
import { HEALTH_PATHS } from '../health-routes.js';
import { METRICS_PATH } from '../../observability/metrics-route.js';
import { isConsolePath } from '../console-route.js';
import { csrfRefusal, isPreflighted } from './csrf.js';
import { formatWithoutHttp } from './ws-result.js';
import { pathOf } from '../request-path.js';

/** A body up to this size is left for node to read and drop (the connection stays open); a larger one closes it. */
const KEEP_ALIVE_BODY_BYTES = 64 * 1024;

/**
 * What the gate decided: `refused` (it answered: 401, 429, 403 or 404), `authenticated` (with the
 * operation's context, its token counted against the rate), or `pass` (not its business: yoga handles
 * it as before).
 */
export type GateResult = { refused: true } | { refused: false; context?: Context };

/**
 * The paths the GraphQL endpoint answers on (yoga also takes a trailing slash); the WebSocket server
 * takes the upgrade on GRAPHQL_PATH alone.
 */
const GRAPHQL_PATHS: ReadonlySet<string> = new Set([GRAPHQL_PATH, `${GRAPHQL_PATH}/`]);

/**
 * The token gate, in front of everything that reads a request's body. First the route, from the
 * request target alone: a path that is neither the GraphQL path nor a health route is answered 404
 * at once, its body unread. (yoga would take any URL that merely ends with `/graphql` — `/x/graphql`,
 * `/?a=/graphql`, an absolute-form target — as a GraphQL request and parse its body; cairn serves no
 * such route, so nothing but the routes it serves reaches yoga, whatever yoga's matching rule.) Then a
 * GraphQL request (POST or GET on the GraphQL path): one a browser could send cross-site without a
 * preflight is refused 403 CSRF_HEADER_REQUIRED (as yoga's CSRF prevention would, before
 * authentication), one without a usable token 401 UNAUTHENTICATED, and one whose token is over its
 * rate 429 RATE_LIMITED — from its headers alone: its body is never parsed (nor even read when it is
 * large: the connection is closed instead), and yoga never sees it. The answer has the shape yoga
 * gives (status, `WWW-Authenticate` / `Retry-After`, a GraphQL error body, JSON or a server-sent
 * event by the `Accept` header). Passed through untouched: the health routes (GET and HEAD, which
 * carry no body), CORS preflights, and GraphiQL's page (GET text/html). graphql-ws authenticates at
 * connection_init instead.
 */
export function createTokenGate(contextFactory: ContextFactory, admit: (tokenId: number) => GraphQLError | null, corsOrigins: readonly string[] = []) {
  // A console on an allowed origin (CAIRN_CORS_ORIGINS) must be able to read the gate's refusals, as it reads yoga's answers.
  const refuse = (req: IncomingMessage, res: ServerResponse, error: GraphQLError) => refuseWith(req, res, error, corsHeaders(req.headers.origin, corsOrigins));
  const notFound = (req: IncomingMessage, res: ServerResponse) => answer(req, res, 404, corsHeaders(req.headers.origin, corsOrigins), '');
  return async (req: IncomingMessage, res: ServerResponse): Promise<GateResult> => {
    const path = pathOf(req.url);
    if (path === null || !GRAPHQL_PATHS.has(path)) {
      if (path !== null && (HEALTH_PATHS.has(path) || path === METRICS_PATH || isConsolePath(path)) && BODILESS_METHODS.has(req.method ?? '')) return { refused: false };
      notFound(req, res);
      return { refused: true };
    }
    if (!gated(req)) return { refused: false };
    const headers = toHeaders(req.headers);
    if (!isPreflighted(headers)) {
      refuse(req, res, csrfRefusal());
      return { refused: true };
    }
    let context: Context;
    try {
      context = await contextFactory({ headers });
    } catch (error) {
      if (error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED') {
        refuse(req, res, error);
        return { refused: true };
      }
      return { refused: false }; // yoga calls the context factory again, and masks and logs what fails
    }
    const limited = context.viewer ? admit(context.viewer.tokenId) : null;
    if (limited) {
      refuse(req, res, limited);
      return { refused: true };
    }
    return { refused: false, context };
  };
}

/** Methods whose requests cairn never reads a body of (yoga's health routes and CORS answer them). */
const BODILESS_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request on the GraphQL path is a GraphQL request: not a CORS preflight, not GraphiQL's page. */
function gated(req: IncomingMessage): boolean {
  if (req.method === 'OPTIONS') return false;
  const graphiql = (req.method === 'GET' || req.method === 'HEAD') && (req.headers.accept ?? '').includes('text/html');
  return !graphiql;
}

/** The request's headers as fetch Headers (what the context factory reads, and what the context keeps). */
export function toHeaders(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return headers;
}

/**
 * The CORS headers yoga adds to its answers for a request from `origin` (corsOptions in cors.ts): the
 * origin allowed (or `*`), `Retry-After` readable; none for an origin that is not allowed.
 */
export function corsHeaders(origin: string | undefined, allowed: readonly string[]): Record<string, string> {
  if (!origin || allowed.length === 0) return {};
  if (allowed.includes('*')) return { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'Retry-After' };
  if (!allowed.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, vary: 'Origin', 'access-control-expose-headers': 'Retry-After' };
}

/** Answers with `error` (its extensions.http status and headers), as yoga would, without reading the body. */
function refuseWith(req: IncomingMessage, res: ServerResponse, error: GraphQLError, cors: Record<string, string>): void {
  const http = (error.extensions.http ?? {}) as { status?: number; headers?: Record<string, string> };
  const errors = JSON.stringify({ errors: [formatWithoutHttp(error)] });
  const sse = prefersEventStream(req.headers.accept);
  const body = sse ? `event: next\ndata: ${errors}\n\nevent: complete\ndata:\n\n` : errors;
  const contentType = sse
    ? 'text/event-stream'
    : `${prefersGraphqlResponse(req.headers.accept) ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8`;
  answer(req, res, http.status ?? 401, {
    ...cors,
    ...http.headers,
    'content-type': contentType,
    ...(sse ? { 'cache-control': 'no-cache' } : {}),
  }, body);
}

/**
 * Answers without reading the request's body: it is dropped unread (so that the client, still
 * sending, gets the answer); a large one ends the connection.
 */
function answer(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  const declared = Number(req.headers['content-length'] ?? 0);
  const large = req.headers['transfer-encoding'] !== undefined || !(declared <= KEEP_ALIVE_BODY_BYTES);
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body), ...(large ? { connection: 'close' } : {}) });
  res.end(body);
  req.resume();
}

function mediaTypes(accept: string | undefined): string[] {
  return (accept ?? '').split(',').map((part) => part.split(';')[0]!.trim().toLowerCase());
}

function prefersEventStream(accept: string | undefined): boolean {
  const types = mediaTypes(accept);
  const sse = types.indexOf('text/event-stream');
  const json = types.findIndex((t) => t === 'application/json' || t === 'application/graphql-response+json');
  return sse !== -1 && (json === -1 || sse < json);
}

function prefersGraphqlResponse(accept: string | undefined): boolean {
  const types = mediaTypes(accept);
  const modern = types.indexOf('application/graphql-response+json');
  const json = types.indexOf('application/json');
  return modern !== -1 && (json === -1 || modern < json);
}
