import type { IncomingMessage, Server } from 'node:http';
import type { ExecutionArgs, ExecutionResult, GraphQLError } from 'graphql';
import { GraphQLError as GraphQLErrorClass } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { YogaApp } from './yoga-app.js';
import { GRAPHQL_PATH } from './types.js';

export interface GraphqlWs {
  /** Closes every client with 1001 (going away) and stops the WebSocket server. */
  close(): Promise<void>;
  /** Drops every client that did not close in time. */
  terminate(): void;
}

interface Enveloped {
  execute: (args: ExecutionArgs) => Promise<ExecutionResult> | ExecutionResult;
  subscribe: (args: ExecutionArgs) => unknown;
}

/**
 * graphql-ws on the HTTP server's port and path, running operations through yoga's envelop (so the
 * same schema, context, masking and plugins apply as over HTTP and SSE).
 */
export function attachGraphqlWs(httpServer: Server, yoga: YogaApp, logger: Logger): GraphqlWs {
  const wss = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH });

  wss.on('connection', (socket, request) => {
    const started = performance.now();
    socket.once('close', (code) => {
      logger.info(
        { method: request.method, path: GRAPHQL_PATH, status: 101, durationMs: Math.round(performance.now() - started), closeCode: code },
        'websocket closed',
      );
    });
  });

  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          request: toRequest(ctx.extra.request),
          connectionParams: ctx.connectionParams,
          params: payload,
        });
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLErrorClass) return [error];
          throw error;
        }
        const errors = validate(schema, document) as readonly GraphQLError[];
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Enveloped,
        };
        return args;
      },
    },
    wss,
  );

  return {
    close: () => disposable.dispose() as Promise<void>,
    terminate() {
      for (const client of wss.clients) client.terminate();
    },
  };
}

/** A fetch Request carrying the upgrade request's headers, for the context factory. */
function toRequest(message: IncomingMessage): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  return new Request(`http://${message.headers.host ?? 'localhost'}${GRAPHQL_PATH}`, { headers });
}
