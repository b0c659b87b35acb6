import type { IncomingMessage } from 'node:http';
import { type DocumentNode, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { noteOperation, noteToken, requestDetails } from './request-log.js';

/** What this plugin reads from yoga's server context (node:http's request) and the operation's context (the viewer). */
interface Known {
  req?: IncomingMessage;
  /** The context the token gate built before the body was read (build-server.ts). */
  authenticated?: { viewer?: { name: string } | null };
  viewer?: { name: string } | null;
}

/**
 * Tells the request's log line (request-log.ts) which operation it carried and whose token sent it: the
 * operation's name as soon as the parameters are read, its type (and name, for a document with one
 * operation) once the document is parsed — before validation, so that a request refused by validation or
 * a limit still names both — and the token's name once the request is authenticated. Operations over
 * graphql-ws have no HTTP request line.
 */
export function useRequestLog(): Plugin<Record<string, unknown>, Known> {
  const fromDocument = (context: unknown, document: DocumentNode) => {
    const { req, viewer } = context as Known;
    const operation = getOperationAST(document, requestDetails(req)?.operationName ?? null);
    noteOperation(req, { name: operation?.name?.value, type: operation?.operation });
    noteToken(req, viewer);
  };
  return {
    onParams({ params, context }) {
      noteOperation(context.req, { name: params.operationName });
      noteToken(context.req, context.authenticated?.viewer);
    },
    onValidate({ context, params }) {
      fromDocument(context, params.documentAST);
    },
    onExecute({ args }) {
      fromDocument(args.contextValue, args.document);
    },
    onSubscribe({ args }) {
      fromDocument(args.contextValue, args.document);
    },
  };
}
