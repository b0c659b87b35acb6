/**
 * Talking to cairn: queries and mutations over HTTP (POST /graphql), subscriptions over graphql-ws
 * on the same path. The token goes in the Authorization header, and in graphql-ws's
 * connection_init payload (browsers cannot set headers on a WebSocket). With persisted operations
 * built in, only the operation's hash is sent.
 */
import { type Client, createClient } from 'graphql-ws';
import { session } from './session.js';

export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** A failed request: the server's errors, or why the request did not get an answer. */
export class RequestError extends Error {
  constructor(message: string, readonly code: string | null) {
    super(message);
  }
}

const ENDPOINT = '/graphql';
const REQUEST_TIMEOUT_MS = 15_000;

/** The operation's name (`query Apps(...)` → Apps). */
function nameOf(document: string): string {
  const match = /\b(?:query|mutation|subscription)\s+(\w+)/.exec(document);
  if (!match) throw new Error('every console operation is named');
  return match[1]!;
}

/** The request body: the persisted operation's hash when the build has one (the document otherwise, or when `sendDocument`). */
function payload(document: string, variables: Record<string, unknown>, sendDocument = false) {
  const operationName = nameOf(document);
  const hash = CAIRN_PERSISTED_OPERATIONS[operationName];
  if (hash && !sendDocument) return { operationName, variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
  return { operationName, variables, query: document };
}

let onUnauthenticated: () => void = () => {};
/** Called when the server refuses the token (401 / 4403): the console asks for a token again. */
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

/**
 * Runs a query or mutation; resolves with `data`, rejects with a RequestError. A server that does not
 * know the operation's hash (it loaded another manifest) gets the document once instead.
 */
export async function request<T = any>(document: string, variables: Record<string, unknown> = {}, token = session.token()): Promise<T> {
  try {
    return await send<T>(document, variables, token, false);
  } catch (error) {
    if (error instanceof RequestError && error.code === 'PERSISTED_QUERY_NOT_FOUND') return send<T>(document, variables, token, true);
    throw error;
  }
}

async function send<T>(document: string, variables: Record<string, unknown>, token: string | null, sendDocument: boolean): Promise<T> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(payload(document, variables, sendDocument)),
      signal: abort.signal,
    });
  } catch (error) {
    throw new RequestError(abort.signal.aborted ? 'cairn did not answer in time' : `cannot reach cairn: ${String(error)}`, 'UNREACHABLE');
  } finally {
    clearTimeout(timer);
  }
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: GraphQLError[] } | null;
  const first = body?.errors?.[0];
  if (response.status === 401 || first?.extensions?.code === 'UNAUTHENTICATED') {
    if (token && token === session.token()) onUnauthenticated(); // the signed-in token stopped working
    throw new RequestError(first?.message ?? 'The token was refused.', 'UNAUTHENTICATED');
  }
  if (first) throw new RequestError(first.message, first.extensions?.code ?? null);
  if (!body?.data) throw new RequestError(`cairn answered ${response.status} without data`, null);
  return body.data;
}

let client: Client | null = null;

function wsClient(): Client {
  if (client) return client;
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${ENDPOINT}`;
  client = createClient({
    url,
    lazy: true,
    connectionParams: () => ({ authorization: `Bearer ${session.token() ?? ''}` }),
    retryAttempts: 5,
    // A refused token (4403 Forbidden, 4401 Unauthorized) is final: ask for another instead of retrying.
    shouldRetry: (event) => !(isClose(event) && (event.code === 4403 || event.code === 4401)),
    on: {
      closed: (event) => {
        if (isClose(event) && (event.code === 4403 || event.code === 4401)) onUnauthenticated();
      },
    },
  });
  return client;
}

function isClose(event: unknown): event is CloseEvent {
  return typeof event === 'object' && event !== null && 'code' in event;
}

export interface Subscription {
  close(): void;
}

/**
 * Subscribes over graphql-ws: `next` gets each result's data; `error` gets why it stopped (not on a
 * normal completion); `complete` when the server ends the stream.
 */
export function subscribe<T = any>(
  document: string,
  variables: Record<string, unknown>,
  sink: { next(data: T): void; error?(error: RequestError): void; complete?(): void },
): Subscription {
  const { query, ...rest } = payload(document, variables);
  const dispose = wsClient().subscribe<T>(
    { ...rest, query: query ?? '' },
    {
      next: (result) => {
        const first = result.errors?.[0] as GraphQLError | undefined;
        if (first) sink.error?.(new RequestError(first.message, first.extensions?.code ?? null));
        else if (result.data) sink.next(result.data);
      },
      error: (error) => {
        const message = Array.isArray(error) ? (error[0] as GraphQLError)?.message : isClose(error) ? `connection closed (${error.code} ${error.reason})` : String(error);
        sink.error?.(new RequestError(message ?? 'subscription failed', null));
      },
      complete: () => sink.complete?.(),
    },
  );
  return { close: dispose };
}

/** Closes the WebSocket (on sign-out): the next subscription connects with the new token. */
export function disconnect(): void {
  client?.dispose();
  client = null;
}
