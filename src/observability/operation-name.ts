/** What the metrics and spans call a GraphQL operation: its name (or `anonymous`) and its type. */
import { getOperationAST, type DocumentNode } from 'graphql';

export interface OperationName {
  name: string;
  type: 'query' | 'mutation' | 'subscription' | 'unknown';
}

export function operationOf(document: DocumentNode | undefined, operationName: string | null | undefined): OperationName {
  const operation = document ? getOperationAST(document, operationName ?? undefined) : null;
  if (!operation) return { name: operationName || 'anonymous', type: 'unknown' };
  return { name: operation.name?.value ?? 'anonymous', type: operation.operation };
}

/** How the subscription reaches its client: graphql-ws, server-sent events, or a multipart HTTP response. */
export function transportOf(context: unknown): 'graphql-ws' | 'sse' | 'http' {
  const c = (context ?? {}) as { extra?: { socket?: unknown }; connectionParams?: unknown; request?: { headers?: Headers } };
  if (c.extra?.socket !== undefined || c.connectionParams !== undefined) return 'graphql-ws';
  const accept = c.request?.headers?.get?.('accept') ?? '';
  return accept.includes('text/event-stream') ? 'sse' : 'http';
}
