/**
 * One operation over one transport, reduced to what the matrix asserts: was the caller
 * unauthenticated (401, or graphql-ws closed at connection_init), refused (FORBIDDEN), and what did
 * the root field answer first.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { CairnServer } from '../../src/server/index.js';
import { bearer } from '../helpers/auth.js';
import { sseEvents } from '../server/helpers.js';

export type Transport = 'http' | 'ws' | 'sse';

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string };
}

export interface Outcome {
  /** Nothing ran: HTTP 401, an UNAUTHENTICATED error, or the WebSocket closed at connection_init. */
  unauthenticated: boolean;
  /** A FORBIDDEN error came back. */
  forbidden: boolean;
  /** The root field's first answer (undefined when a stream ended without an event). */
  value: unknown;
  errors: GraphQLErrorShape[];
  /** For the failure message. */
  raw: string;
}

function outcomeOf(results: { data?: Record<string, unknown> | null; errors?: readonly GraphQLErrorShape[] }[], extra: { unauthenticated?: boolean; raw?: string } = {}): Outcome {
  const errors = results.flatMap((r) => [...(r.errors ?? [])]);
  const first = results[0];
  return {
    unauthenticated: extra.unauthenticated === true || errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED'),
    forbidden: errors.some((e) => e.extensions?.code === 'FORBIDDEN'),
    value: first?.data ? Object.values(first.data)[0] : undefined,
    errors,
    raw: extra.raw ?? JSON.stringify(results),
  };
}

/** Runs operations as a token (or none) over any transport; one graphql-ws client per token. */
export interface Caller {
  run(transport: Transport, secret: string | null, query: string, variables: Record<string, unknown>): Promise<Outcome>;
  close(): Promise<void>;
}

export function createCaller(server: CairnServer, url: string): Caller {
  const clients = new Map<string, Client>();
  const wsClient = (secret: string | null) => {
    const key = secret ?? '';
    let client = clients.get(key);
    if (!client) {
      client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: true,
        connectionParams: secret ? { authorization: `Bearer ${secret}` } : {},
      });
      clients.set(key, client);
    }
    return client;
  };

  async function http(secret: string | null, query: string, variables: Record<string, unknown>): Promise<Outcome> {
    const res = await server.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...(secret ? bearer(secret) : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const text = await res.text();
    return outcomeOf([JSON.parse(text)], { unauthenticated: res.status === 401, raw: `${res.status} ${text}` });
  }

  async function sse(secret: string | null, query: string, variables: Record<string, unknown>): Promise<Outcome> {
    const abort = new AbortController();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(secret ? bearer(secret) : {}) },
      body: JSON.stringify({ query, variables }),
      signal: abort.signal,
    });
    if (res.status === 401) {
      const text = await res.text();
      return outcomeOf([], { unauthenticated: true, raw: `401 ${text}` });
    }
    const results: { data?: Record<string, unknown>; errors?: GraphQLErrorShape[] }[] = [];
    try {
      for await (const e of sseEvents(res.body!)) {
        if (e.event === 'complete') break;
        if (e.event !== 'next') continue;
        results.push(JSON.parse(e.data));
        break; // the first answer says it all
      }
    } finally {
      abort.abort();
    }
    return outcomeOf(results, { raw: `${res.status} ${JSON.stringify(results)}` });
  }

  function ws(secret: string | null, query: string, variables: Record<string, unknown>): Promise<Outcome> {
    return new Promise((resolve) => {
      let settled = false;
      const results: { data?: Record<string, unknown> | null; errors?: readonly GraphQLErrorShape[] }[] = [];
      const settle = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        unsubscribe();
        resolve(outcome);
      };
      const unsubscribe = wsClient(secret).subscribe(
        { query, variables },
        {
          next: (value) => {
            results.push(value as (typeof results)[number]);
            settle(outcomeOf(results));
          },
          complete: () => settle(outcomeOf(results)),
          error: (error) => {
            // A CloseEvent (4403: no usable token at connection_init), or GraphQL errors.
            const code = (error as { code?: number }).code;
            if (typeof code === 'number') settle(outcomeOf([], { unauthenticated: code === 4403, raw: `closed ${code} ${(error as { reason?: string }).reason ?? ''}` }));
            else settle(outcomeOf([{ errors: error as GraphQLErrorShape[] }]));
          },
        },
      );
    });
  }

  return {
    run: (transport, secret, query, variables) => (transport === 'http' ? http(secret, query, variables) : transport === 'sse' ? sse(secret, query, variables) : ws(secret, query, variables)),
    async close() {
      await Promise.all([...clients.values()].map(async (c) => c.dispose()));
    },
  };
}
