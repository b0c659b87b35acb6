/**
 * Persisted operations (trusted documents). A client may send, instead of a document, the sha256 hash
 * of one that cairn loaded from a manifest (persisted-store.ts), as Apollo's persisted queries do:
 * `"extensions": { "persistedQuery": { "version": 1, "sha256Hash": "<hex>" } }` (over graphql-ws, with
 * `"query": ""`). With `CAIRN_PERSISTED_ONLY=true`, a token that is not an admin may run only those:
 * a document it sends is refused with PERSISTED_QUERY_ONLY — over HTTP, server-sent events and
 * graphql-ws alike. A hash wins over a document sent with it. HTTP and SSE requests go through yoga's
 * persisted-operations plugin (it reads the hash before yoga asks for a query); graphql-ws operations,
 * which bypass yoga's request handling, are resolved when their context is built (before they are parsed).
 */
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../schema/context.js';
import type { PersistedStore } from './persisted-store.js';

export const PERSISTED_QUERY_ONLY = 'PERSISTED_QUERY_ONLY';
export const PERSISTED_QUERY_NOT_FOUND = 'PERSISTED_QUERY_NOT_FOUND';

/** The refusal of a document sent by a token that may run persisted operations only. */
export function persistedOnlyError(): GraphQLError {
  return new GraphQLError(
    'This server runs persisted operations only (CAIRN_PERSISTED_ONLY=true): send the sha256 hash of an operation from a manifest it loaded, in extensions.persistedQuery.sha256Hash; only admin tokens may send documents.',
    { extensions: { code: PERSISTED_QUERY_ONLY, http: { status: 403 } } },
  );
}

export function persistedNotFoundError(): GraphQLError {
  return new GraphQLError('No persisted operation has this hash: send a hash from a manifest the server loaded (it reads them when it starts), or send the document.', {
    extensions: { code: PERSISTED_QUERY_NOT_FOUND, http: { status: 400 } },
  });
}

/** The sha256 hash in a request's `extensions.persistedQuery`; null when there is none. */
export function persistedHashOf(extensions: unknown): string | null {
  const pq = (extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | null | undefined)?.persistedQuery;
  return pq && typeof pq === 'object' && pq.version === 1 && typeof pq.sha256Hash === 'string' ? pq.sha256Hash : null;
}

export interface PersistedOptions {
  store: PersistedStore;
  /** CAIRN_PERSISTED_ONLY: only admins may send documents. */
  persistedOnly: boolean;
  /** The caller's context, once authenticated (HTTP and SSE). */
  contextOf: (request: Request, serverContext: Record<string, unknown>) => Context | undefined;
}

const sentDocument = (query: unknown) => typeof query === 'string' && query.trim() !== '';

/** The plugins that serve persisted operations (and refuse documents, when persisted-only). */
export function usePersisted({ store, persistedOnly, contextOf }: PersistedOptions): Array<Plugin<Record<string, unknown>>> {
  const yogaPlugin = usePersistedOperations<Record<string, unknown>>({
    getPersistedOperation: (hash) => store.get(hash)?.ast ?? null,
    // Documents are refused (or not) by the plugin below, which knows the caller.
    allowArbitraryOperations: true,
    customErrors: {
      notFound: () => persistedNotFoundError(),
      keyNotFound: () =>
        new GraphQLError('Send a query, or the sha256 hash of a persisted operation in extensions.persistedQuery.', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } }),
    },
  });

  // Requests whose parameters the HTTP gate has judged: parsing them needs no second look.
  const judged = new WeakSet<Request>();
  const gate: Plugin<Record<string, unknown>> = {
    // HTTP and SSE, after the caller was authenticated (authenticate-first.ts) and before yoga's plugin reads the hash.
    onParams({ params, request, context, setParams }) {
      judged.add(request);
      const hash = persistedHashOf(params.extensions);
      if (hash !== null && params.query !== undefined) {
        const { query: _dropped, ...rest } = params;
        setParams(rest);
        return;
      }
      if (hash === null && persistedOnly && sentDocument(params.query) && contextOf(request, context)?.viewer?.admin !== true) throw persistedOnlyError();
    },
    // graphql-ws builds an operation's context before it parses the operation's message (`params`, the
    // very object it then parses the query of): once the caller is known, put the persisted document in
    // as the query — so the parse cache keys it by its own text — or refuse the document sent.
    onContextBuilding({ context }) {
      const { params, request } = context as { params?: { query?: unknown; extensions?: unknown }; request?: Request };
      if (!params || (request && judged.has(request))) return;
      return ({ context: built }) => {
        const hash = persistedHashOf(params.extensions);
        if (hash !== null) {
          const op = store.get(hash);
          if (!op) throw persistedNotFoundError();
          params.query = op.document;
          return;
        }
        if (persistedOnly && sentDocument(params.query) && (built as Partial<Context>).viewer?.admin !== true) throw persistedOnlyError();
      };
    },
  };
  return [gate, yogaPlugin];
}
