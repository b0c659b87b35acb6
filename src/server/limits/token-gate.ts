import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Context } from '../../schema/context.js';
import { GRAPHQL_PATH, type ContextFactory } from '../types.js';
import { isPreflighted } from './csrf.js';
import { formatWithoutHttp } from './ws-result.js';

/** A body up to this size is left for node to read and drop (the connection stays open); a larger one closes it. */
const KEEP_ALIVE_BODY_BYTES = 64 * 1024;

/**
 * What the gate decided: `refused` (it answered), `authenticated` (with the operation's context, its
 * token counted against the rate), or `pass` (not its business: yoga handles it as before).
 */
export type GateResult = { refused: true } | { refused: false; context?: Context };

/**
 * The token gate, in front of everything that reads a request's body: a GraphQL request (POST or GET
 * on the GraphQL path) without a usable token is answered 401 UNAUTHENTICATED, and one whose token is
 * over its rate 429 RATE_LIMITED, from its headers alone — its body is never parsed (nor even read
 * when it is large: the connection is closed instead), and yoga never sees it. The answer has the
 * shape yoga gives (status, `WWW-Authenticate` / `Retry-After`, a GraphQL error body, JSON or a
 * server-sent event by the `Accept` header). Passed through untouched: other paths (health routes),
 * CORS preflights, GraphiQL's page (GET text/html), and requests a browser could send cross-site
 * without a preflight (CSRF prevention refuses those, also before reading the body). graphql-ws
 * authenticates at connection_init instead.
 */
export function createTokenGate(contextFactory: ContextFactory, admit: (tokenId: number) => GraphQLError | null) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<GateResult> => {
    if (!gated(req)) return { refused: false };
    const headers = toHeaders(req.headers);
    if (!isPreflighted(headers)) return { refused: false };
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

function gated(req: IncomingMessage): boolean {
  if (req.method === 'OPTIONS') return false;
  const url = req.url ?? '/';
  const end = url.search(/[?#]/);
  if ((end === -1 ? url : url.slice(0, end)) !== GRAPHQL_PATH) return false;
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

/** Answers with `error` (its extensions.http status and headers) without reading the body. */
function refuse(req: IncomingMessage, res: ServerResponse, error: GraphQLError): void {
  const http = (error.extensions.http ?? {}) as { status?: number; headers?: Record<string, string> };
  const errors = JSON.stringify({ errors: [formatWithoutHttp(error)] });
  const sse = prefersEventStream(req.headers.accept);
  const body = sse ? `event: next\ndata: ${errors}\n\nevent: complete\ndata:\n\n` : errors;
  const contentType = sse
    ? 'text/event-stream'
    : `${prefersGraphqlResponse(req.headers.accept) ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8`;
  const declared = Number(req.headers['content-length'] ?? 0);
  const large = req.headers['transfer-encoding'] !== undefined || !(declared <= KEEP_ALIVE_BODY_BYTES);
  res.writeHead(http.status ?? 401, {
    ...http.headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(body),
    ...(sse ? { 'cache-control': 'no-cache' } : {}),
    ...(large ? { connection: 'close' } : {}),
  });
  res.end(body);
  // The body is dropped unread (so that the client, still sending, gets the answer); a large one ends the connection.
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
