import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { type Config, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/client.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import type { ReachabilityResult } from '../../src/kube/reachability.js';
import { createClusterRegistry, type LoadableClusterRegistry } from '../../src/kube/registry.js';
import { schema } from '../../src/schema/index.js';
import { buildServer, type CairnServer, createContextFactory, createLogger, type RequestInfo } from '../../src/server/index.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { kubeconfigText } from '../kube/fake-api-server.js';

/** A pino logger whose JSON lines the test can read. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ logLevel: 'debug' }, stream);
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, text };
}

export interface TestServer {
  server: CairnServer;
  clusters: LoadableClusterRegistry;
  logs: ReturnType<typeof memoryLogger>;
  /** What the next reachability check answers, per cluster name. */
  reachability: Map<string, ReachabilityResult>;
  /** Set to false to make /readyz report the database as not migrated. */
  databaseReady: { value: boolean };
  /** The secret of an admin token (`graphql()` sends it; WebSocket and SSE clients must send it themselves). */
  adminToken: string;
  /** The database's repositories (to issue more tokens …). */
  repos: Repositories;
  close(): Promise<void>;
}

export const TOKEN = 'tok-3b1f-very-secret-bearer-token';

/**
 * A cairn server over an in-memory database and two clusters (alpha, beta) whose reachability the
 * test decides; the checks still run through the registry, only the network call is replaced.
 */
export function testServer(
  options: {
    loadClusters?: boolean;
    shutdownTimeoutMs?: number;
    /** Use this registry (and its logger) instead of the two fake clusters. */
    registry?: { clusters: LoadableClusterRegistry; logs: ReturnType<typeof memoryLogger> };
    databasePath?: string;
    /** Sees what the server tells the context factory about each operation's request. */
    onContext?: (request: RequestInfo) => void;
    /** Configuration overrides (limits …). */
    config?: Partial<Config>;
  } = {},
): TestServer {
  const config = loadConfig({}, { port: 0, shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5000, ...options.config });
  const logs = options.registry?.logs ?? memoryLogger();
  const reachability = new Map<string, ReachabilityResult>();
  const clusters =
    options.registry?.clusters ??
    createClusterRegistry({
      logger: logs.logger,
      checkIntervalMs: 60_000,
      // Each check decides (the threshold of failures in a row is the registry's own test's concern).
      unreachableAfterFailures: 1,
      check: async (kc) => reachability.get(kc.getCurrentContext()) ?? { reachable: true, error: null },
    });
  if (!options.registry && (options.loadClusters ?? true)) {
    clusters.load([
      {
        text: kubeconfigText([
          { name: 'alpha', server: 'https://alpha.example:6443', token: TOKEN },
          { name: 'beta', server: 'https://beta.example:6443', token: TOKEN },
        ]),
        origin: 'test',
        sandbox: false,
      },
    ]);
  }
  const database = openDatabase(options.databasePath ?? ':memory:');
  const repos = createRepositories(database.db, { cipher: createCipher(randomKey()) });
  const databaseReady = { value: true };
  const adminToken = issueTestToken(repos, { name: 'test-admin', admin: true });
  const contextFactory = createContextFactory({ config, logger: logs.logger, clusters, repos, now: () => new Date() });
  const server = buildServer({
    config,
    logger: logs.logger,
    schema,
    contextFactory: (request) => {
      options.onContext?.(request);
      return contextFactory(request);
    },
    readiness: () => [
      ...(databaseReady.value ? [] : ['database is not migrated']),
      ...(clusters.loaded ? [] : ['clusters are loading']),
    ],
  });
  adminTokens.set(server, adminToken);
  return {
    server,
    clusters,
    logs,
    reachability,
    databaseReady,
    adminToken,
    repos,
    async close() {
      await server.stop();
      clusters.stop();
      database.close();
    },
  };
}

/** The admin token of each test server, for `graphql()`. */
const adminTokens = new WeakMap<CairnServer, string>();

/** POSTs a GraphQL operation in-process through yoga.fetch, as the server's admin token (or `token`; null sends none). */
export async function graphql(server: CairnServer, query: string, variables?: Record<string, unknown>, token?: string | null) {
  const secret = token === undefined ? adminTokens.get(server) : token;
  const response = await server.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...(secret ? bearer(secret) : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: any }> } };
}

/** Reads server-sent events from a response body, one at a time. */
export async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0 || event !== 'message') yield { event, data: data.join('\n') };
    }
  }
}
