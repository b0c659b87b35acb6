import type { IncomingMessage, Server } from 'node:http';
import { type ExecutionArgs, type ExecutionResult, GraphQLError } from 'graphql';
import type { Context as WsContext, SubscribePayload } from 'graphql-ws';
import { type Extra, useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Context } from '../schema/context.js';
import { closeWhenRevoked } from './close-revoked-sockets.js';
import { limitMessagesBeforeAuth, PRE_AUTH_MESSAGE_BYTES } from './limits/ws-init-limit.js';
import { formatWithoutHttp, withoutHttpExtensions } from './limits/ws-result.js';
import { serializedOf } from '../live/fanout/shared-result.js';
import { safeError } from './safe-error.js';
import { DIRECT_SINK, type DirectSink } from '../live/fanout/direct-sink.js';
import { DEFAULT_MAX_BUFFERED_BYTES, directSink, rawPayload, sendRawPayloads, SLOW_CONSUMER_CLOSE_CODE } from './ws-raw-send.js';
import { GRAPHQL_PATH } from './types.js';
import type { YogaApp } from './yoga-app.js';

export interface GraphqlWs {
  /** Closes every client with 1001 (going away) and stops the WebSocket server. */
  close(): Promise<void>;
  /** Drops every client that did not close in time. */
  terminate(): void;
}

interface Enveloped {
  execute: (args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult;
  subscribe: (args: ExecutionArgs) => unknown;
  [DIRECT_SINK]: DirectSink;
}

/**
 * graphql-ws on the HTTP server's port and path, running operations through yoga's envelop (so the
 * same schema, context, masking, limits and plugins apply as over HTTP and SSE). A message over
 * `maxPayloadBytes` closes the socket with 1009 (message too big).
 */
export function attachGraphqlWs(httpServer: Server, yoga: YogaApp, logger: Logger, maxPayloadBytes: number, maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES): GraphqlWs {
  // No permessage-deflate (ws's default for a server, said here on purpose): a compressing socket keeps a zlib
  // context of its own (tens of kilobytes, times ten thousand sockets) and a shared frame could not be written
  // once for every socket (ws-raw-send.ts). Client input stays UTF-8 validated (no skipUTF8Validation).
  const wss = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: maxPayloadBytes, perMessageDeflate: false });
  const authenticated = new WeakSet<object>();

  // Before graphql-ws's own listener: an anonymous socket's large message is refused unparsed.
  wss.on('connection', (socket, request) => {
    // What the socket's operations read of the upgrade request, kept instead of it (see requestOf).
    requests.set(socket, toRequest(request));
    const method = request.method;
    limitMessagesBeforeAuth(socket, (s) => authenticated.has(s), (bytes) =>
      logger.warn({ bytes, limitBytes: PRE_AUTH_MESSAGE_BYTES }, 'graphql-ws message over the size limit before connection_init was accepted: socket closed with 1009'),
    );
    // Shared results go out as the bytes serialized once for their group; a socket that does not keep up is closed.
    sendRawPayloads(socket, maxBufferedBytes, (bufferedBytes) =>
      logger.warn({ bufferedBytes, limitBytes: maxBufferedBytes, closeCode: SLOW_CONSUMER_CLOSE_CODE }, 'graphql-ws client not reading: socket closed'),
    );
    const started = performance.now();
    socket.once('close', (code) => {
      logger.info(
        { method, path: GRAPHQL_PATH, status: 101, durationMs: Math.round(performance.now() - started), closeCode: code },
        'websocket closed',
      );
    });
  });

  /**
   * Authenticates the operation and counts it against its token's rate (before parsing, as over
   * HTTP), then parses, validates and builds its execution arguments through yoga's envelop.
   */
  const prepare = async (ctx: WsContext<Record<string, unknown> | undefined, Extra>, id: string, payload: SubscribePayload) => {
    // graphql-ws keeps each operation's message for its whole life: ten thousand subscribers of one document keep one copy of its text.
    if (typeof payload.query === 'string') (payload as { query: string }).query = internQuery(payload.query);
    const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
      ...ctx,
      request: requestOf(ctx.extra.socket),
      connectionParams: ctx.connectionParams,
      params: payload,
    });
    const contextValue = (await contextFactory()) as Context;
    const refused = contextValue.viewer ? yoga.limits.admit(contextValue.viewer.tokenId) : null;
    if (refused) return [refused];
    let document;
    try {
      document = parse(payload.query);
    } catch (error) {
      if (error instanceof GraphQLError) return [error];
      throw error;
    }
    const errors = validate(schema, document) as readonly GraphQLError[];
    if (errors.length > 0) return errors;
    const args: ExecutionArgs = {
      schema,
      document,
      operationName: payload.operationName ?? null,
      variableValues: payload.variables ?? null,
      contextValue,
      // A grouped subscription writes its shared results straight to the socket (src/live/fanout/member-pump.ts).
      rootValue: { execute, subscribe, [DIRECT_SINK]: directSink(ctx.extra.socket, id) } satisfies Enveloped,
    };
    return args;
  };

  const disposable = useServer(
    {
      isProd: true, // never put an internal error's message in a close reason
      // No anonymous connections: connection_init must carry a usable API token, else 4403 Forbidden.
      onConnect: async (ctx) => {
        try {
          const { contextFactory } = yoga.getEnveloped({ ...ctx, request: requestOf(ctx.extra.socket), connectionParams: ctx.connectionParams });
          closeWhenRevoked(ctx.extra.socket, (await contextFactory()) as Context);
          authenticated.add(ctx.extra.socket);
          return true;
        } catch (error) {
          // Any other failure (already masked and logged by yoga) fails each operation instead, as over HTTP.
          return !(error instanceof GraphQLError && error.extensions.code === 'UNAUTHENTICATED');
        }
      },
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      // Once subscribed, the operation's arguments (which graphql-ws keeps for the subscription's life) let
      // go of envelop's functions: a grouped member keeps only what it executes with (src/live/fanout).
      subscribe: async (args) => {
        const result = await ((args.rootValue as Enveloped).subscribe(args) as Promise<unknown>);
        (args as { rootValue?: unknown }).rootValue = undefined;
        return result as never;
      },
      // Errors carry extensions.http for HTTP (a 429's status and Retry-After); it means nothing here.
      // A shared result (one execution for its group) is sent as the bytes serialized once for all.
      onNext: (ctx, _id, _payload, _args, result) => {
        const bytes = serializedOf(result);
        return bytes === null ? withoutHttpExtensions(result) : (rawPayload(ctx.extra.socket, bytes) as never);
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(formatWithoutHttp),
      onSubscribe: async (ctx, id, payload) => {
        try {
          return await prepare(ctx, id, payload);
        } catch (error) {
          // yoga's envelop has already masked (and logged) what fails in its context factory.
          if (error instanceof GraphQLError) return [error];
          // Anything else as yoga masks errors over HTTP: the client learns that it failed, the log learns why.
          logger.error({ error: safeError(error), operationId: id }, 'unexpected error preparing a graphql-ws operation');
          return [new GraphQLError('Unexpected error.')];
        }
      },
    },
    wss,
  );
  // The WebSocket server re-emits the HTTP server's errors. One at listen (a busy port) is the HTTP server's
  // start's to report (main.ts turns it into one JSON line); a later one is logged. Either way not through
  // graphql-ws's listener, which prints a stack to stderr.
  wss.removeAllListeners('error');
  wss.on('error', (error) => {
    if (httpServer.listening) logger.error({ error: safeError(error) }, 'HTTP server error');
  });
  // After useServer's own listener: a message over the size limit is the client's doing, not an
  // internal error — ws already closes with 1009; log it as such instead of graphql-ws's console.error.
  wss.on('connection', (socket) => {
    const internal = socket.listeners('error') as Array<(error: Error) => void>;
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        logger.warn({ limitBytes: maxPayloadBytes }, 'graphql-ws message over the size limit (CAIRN_MAX_BODY_BYTES): socket closed with 1009');
        return;
      }
      for (const listener of internal) listener.call(socket, error);
    });
  });

  return {
    close: () => disposable.dispose() as Promise<void>,
    terminate() {
      for (const client of wss.clients) client.terminate();
    },
  };
}

/** The texts of the documents operations were sent with lately (at most QUERIES_KEPT of at most QUERY_KEPT_CHARS each, the oldest forgotten first). */
const queries = new Map<string, string>();
const QUERIES_KEPT = 256;
const QUERY_KEPT_CHARS = 16_384;

function internQuery(query: string): string {
  if (query.length > QUERY_KEPT_CHARS) return query;
  const kept = queries.get(query);
  if (kept !== undefined) return kept;
  queries.set(query, query);
  if (queries.size > QUERIES_KEPT) queries.delete(queries.keys().next().value!);
  return query;
}

/**
 * What an operation's context reads of the upgrade request: its headers (a fetch Headers), its URL and a
 * method — POST: each graphql-ws message is an operation sent by the client, and yoga refuses mutations
 * in GET requests. One per socket (its operations share it), made when it connects, and no whole fetch
 * Request: the context factory and the plugins that run over graphql-ws read only these (a Request with
 * its signal and body state costs about two kilobytes, times ten thousand sockets).
 */
const requests = new WeakMap<WebSocket, Request>();

function requestOf(socket: WebSocket): Request {
  return requests.get(socket)!;
}

/**
 * The WebSocket handshake's own headers: they served the handshake (done by then) and nothing an operation
 * reads; kept out of the socket's Headers (about 0.5 KB a socket: the key is unique to each). The rest of the
 * upgrade request's headers (`upgrade` included) stay.
 */
const HANDSHAKE_HEADERS: ReadonlySet<string> = new Set(['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-extensions', 'sec-websocket-protocol']);

function toRequest(message: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (HANDSHAKE_HEADERS.has(name)) continue;
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const request = { method: 'POST', url: `http://${message.headers.host ?? 'localhost'}${GRAPHQL_PATH}`, headers };
  return request as unknown as Request;
}
