import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createCairn } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { Repositories } from '../../src/db/repositories.js';
import type { KubeconfigSource } from '../../src/kube/kubeconfig.js';
import type { ReachabilityCheck, ReachabilityResult } from '../../src/kube/reachability.js';
import type { LoadableClusterRegistry } from '../../src/kube/registry.js';
import { type CairnServer, createLogger, type RequestInfo } from '../../src/server/index.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { testConfig } from '../helpers/cairn.js';
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
 * A cairn (createCairn) over an in-memory database and two clusters (alpha, beta) whose reachability the
 * test decides; the checks still run through the registry, only the network call is replaced. Not
 * started: the test starts the server (`server.start(0)`) and checks the clusters when it wants; the
 * release engine never runs.
 */
export async function testServer(
  options: {
    /** False: the clusters are not loaded (the test loads them). */
    loadClusters?: boolean;
    shutdownTimeoutMs?: number;
    /** These kubeconfig documents, checked with `check` and logged to `logs`, instead of the two clusters. */
    kubeconfig?: { documents: KubeconfigSource[]; check: ReachabilityCheck; logs: ReturnType<typeof memoryLogger> };
    databasePath?: string;
    /** Sees what the server tells the context factory about each operation's request. */
    onContext?: (request: RequestInfo) => void;
    /** Configuration overrides (limits …). */
    config?: Partial<Config>;
  } = {},
): Promise<TestServer> {
  const config = testConfig({
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5000,
    // Each check decides (the threshold of failures in a row is the registry's own test's concern).
    clusterUnreachableAfterFailures: 1,
    clusterCheckIntervalMs: 60_000,
    ...(options.databasePath ? { databasePath: options.databasePath } : {}),
    ...options.config,
  });
  const logs = options.kubeconfig?.logs ?? memoryLogger();
  const reachability = new Map<string, ReachabilityResult>();
  const documents = options.kubeconfig?.documents ?? [
    {
      text: kubeconfigText([
        { name: 'alpha', server: 'https://alpha.example:6443', token: TOKEN },
        { name: 'beta', server: 'https://beta.example:6443', token: TOKEN },
      ]),
      origin: 'test',
      sandbox: false,
    },
  ];
  const databaseReady = { value: true };
  const cairn = await createCairn(config, {
    logger: logs.logger,
    // Documents are loaded when cairn is built; with no files to read, the clusters stay unloaded until the test loads them.
    kubeconfig: options.loadClusters === false ? { files: [] } : { documents },
    testing: {
      check: options.kubeconfig?.check ?? (async (kc) => reachability.get(kc.getCurrentContext()) ?? { reachable: true, error: null }),
      runEngine: false,
      bootstrapAdminToken: false,
      readiness: () => (databaseReady.value ? [] : ['database is not migrated']),
      ...(options.onContext ? { onContext: options.onContext } : {}),
    },
  });
  const { server, clusters, repos } = cairn;
  const adminToken = await issueTestToken(repos, { name: 'test-admin', admin: true });
  adminTokens.set(server, adminToken);
  return {
    server,
    clusters,
    logs,
    reachability,
    databaseReady,
    adminToken,
    repos,
    close: () => cairn.stop(),
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
