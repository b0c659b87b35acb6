/** What the metrics and spans call a GraphQL operation: its name (or `anonymous`) and its type. */
import { getOperationAST, type DocumentNode } from 'graphql';

export interface OperationName {
  name: string;
  type: 'query' | 'mutation' | 'subscription' | 'unknown';
  /** The top-level fields it selects (at most 10), e.g. `createReleaseOrder`. */
  fields: string[];
}

export function operationOf(document: DocumentNode | undefined, operationName: string | null | undefined): OperationName {
  const operation = document ? getOperationAST(document, operationName ?? undefined) : null;
  if (!operation) return { name: operationName || 'anonymous', type: 'unknown', fields: [] };
  const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : [])).slice(0, 10);
  return { name: operation.name?.value ?? 'anonymous', type: operation.operation, fields };
}

/** How the subscription reaches its client: graphql-ws, server-sent events, or a multipart HTTP response. */
export function transportOf(context: unknown): 'graphql-ws' | 'sse' | 'http' {
  const c = (context ?? {}) as { extra?: { socket?: unknown }; connectionParams?: unknown; request?: { headers?: Headers } };
  if (c.extra?.socket !== undefined || c.connectionParams !== undefined) return 'graphql-ws';
  const accept = c.request?.headers?.get?.('accept') ?? '';
  return accept.includes('text/event-stream') ? 'sse' : 'http';
}
