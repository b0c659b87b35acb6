/** End-to-end set-up: cairn's schema, engine and Kubernetes layer against two sandbox clusters, over a database file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, Exec, KubeConfig } from '@kubernetes/client-node';
import { createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import { createCairn } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { OpenDatabase } from '../../src/db/client.js';
import type { Repositories } from '../../src/db/repositories.js';
import type { KubePort } from '../../src/engine/kube-port.js';
import type { Reconciler } from '../../src/engine/reconciler.js';
import type { KubeTimeouts } from '../../src/kube/kube-timeouts.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { nginx } from '../../src/sandbox/images/nginx.js';
import type { Context } from '../../src/schema/context.js';
import { schema } from '../../src/schema/index.js';
import { bearer, namedAdminSecret, namedAdminToken } from '../helpers/auth.js';
import { alwaysReachable } from '../helpers/cairn.js';
import { CLUSTERS, realCluster, startClusters, type E2eCluster } from './clusters.js';

export const SPEED = 100;
export { CLUSTERS } from './cluster-names.js';

export interface Sandboxes {
  /** Sandbox clusters, or real control planes with CAIRN_E2E_CLUSTER=real (see clusters.ts). */
  clusters: E2eCluster[];
  /** The nginx image's tags in both clusters' registry: push a tag to "publish" it. */
  nginxTags: string[];
  kubeConfig(name: string): KubeConfig;
  stop(): Promise<void>;
}

export async function startSandboxes(): Promise<Sandboxes> {
  const nginxTags = [...nginx.tags];
  const images = { nginx: { ...nginx, tags: nginxTags } };
  const running = await startClusters(images, SPEED);
  const { clusters } = running;
  const configs = new Map(
    clusters.map((c) => {
      const kc = new KubeConfig();
      kc.loadFromString(c.kubeconfig);
      return [c.name, kc] as const;
    }),
  );
  return {
    clusters,
    nginxTags,
    kubeConfig: (name) => configs.get(name)!,
    stop: () => running.stop(),
  };
}

/**
 * Two sandbox clusters, never real ones (for tests that read the sandbox's request counters), with the
 * Sandboxes view startCairn takes over them. Stop the clusters themselves.
 */
export async function startCountedSandboxes(): Promise<{ clusters: SandboxCluster[]; sandboxes: Sandboxes }> {
  const clusters = await Promise.all(CLUSTERS.map((name) => startSandboxCluster({ name, speed: SPEED, images: { nginx } })));
  const configs = new Map(
    clusters.map((c) => {
      const kc = new KubeConfig();
      kc.loadFromString(c.kubeconfig);
      return [c.name, kc] as const;
    }),
  );
  return { clusters, sandboxes: { clusters, nginxTags: [...nginx.tags], kubeConfig: (name) => configs.get(name)!, stop: async () => undefined } };
}

export interface Cairn {
  /** Runs an operation as the admin token `e2e-admin`, or with `headers` (e.g. `as('carol')`) instead. */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ data?: any; errors?: unknown[] }>;
  /** The Authorization header of an admin token with this name (the actor recorded for what it does). */
  as(name: string): Record<string, string>;
  /** Runs a subscription over server-sent events; `next()` gives each event's data, `close()` ends it. */
  subscribe(query: string, variables?: Record<string, unknown>): { next(): Promise<any>; close(): void };
  repos: Repositories;
  /** The release engine's Kubernetes port. */
  kube: KubePort;
  reconciler: Reconciler;
  database: OpenDatabase;
  logText(): string;
  /** Stops the engine and closes the database, as a shutdown (or a crash, for what is on disk) would. */
  stop(): Promise<void>;
}

/**
 * One cairn (createCairn) on a database file and the sandboxes, started (its server listens on port 0); operations
 * run in-process through a yoga instance on cairn's context factory (without the server's limits: the tests poll).
 */
export async function startCairn(sandboxes: Sandboxes, databasePath: string, overrides: { batchDeadlineMs?: number; kubeTimeouts?: KubeTimeouts } = {}): Promise<Cairn> {
  const lines: string[] = [];
  const logger = pino({ level: process.env.E2E_LOG_LEVEL ?? 'info' }, new Writable({ write: (c, _e, done) => (lines.push(String(c)), done()) }));
  const timeouts = overrides.kubeTimeouts;
  const config = loadConfig({}, {
    port: 0,
    databasePath,
    logLevel: 'silent',
    releaseBatchDeadlineMs: overrides.batchDeadlineMs ?? 30_000,
    // A resync (1 s) slower than the steps the engine drives, so that progress comes mostly from watch events.
    releaseResyncIntervalMs: 1_000,
    ...(timeouts
      ? { kubeConnectTimeoutMs: timeouts.connectMs, kubeRequestTimeoutMs: timeouts.requestMs, kubeListTimeoutMs: timeouts.listMs, kubeWatchIdleTimeoutMs: timeouts.watchIdleMs }
      : {}),
  });
  // The secret key file is generated next to the database on the first start and read again on a restart.
  const cairn = await createCairn(config, {
    logger,
    kubeconfig: { documents: sandboxes.clusters.map((c) => ({ text: c.kubeconfig, origin: c.name, sandbox: !realCluster() })) },
    testing: { check: alwaysReachable, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 }, bootstrapAdminToken: false },
  });
  await cairn.start();
  const { repos, kube, reconciler, database } = cairn;
  // The header of an admin token named `name` at once; the token is created in the database before the next operation is sent.
  const creating = new Map<string, Promise<string>>();
  const as = (name: string) => {
    if (!creating.has(name)) creating.set(name, namedAdminToken(repos, name));
    return bearer(namedAdminSecret(name));
  };
  const tokensCreated = () => Promise.all(creating.values());
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    logging: false,
    context: ({ request }) => cairn.contextFactory({ headers: request.headers }),
  });
  return {
    as,
    async gql(query, variables, headers = as('e2e-admin')) {
      await tokensCreated();
      const res = await yoga.fetch('http://cairn.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: any; errors?: unknown[] };
    },
    subscribe(query, variables) {
      const abort = new AbortController();
      const events: any[] = [];
      const waiters: Array<(v: any) => void> = [];
      const headers = as('e2e-admin');
      void (async () => {
        await tokensCreated();
        const res = await yoga.fetch('http://cairn.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
          body: JSON.stringify({ query, variables }),
          signal: abort.signal,
        });
        const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += value;
            let end: number;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('');
              if (!data) continue;
              const parsed = JSON.parse(data);
              const wake = waiters.shift();
              if (wake) wake(parsed);
              else events.push(parsed);
            }
          }
        } catch {
          // aborted
        }
      })();
      return {
        next: () => (events.length ? Promise.resolve(events.shift()) : new Promise((resolve) => waiters.push(resolve))),
        close: () => abort.abort(),
      };
    },
    repos,
    kube,
    reconciler,
    database,
    logText: () => lines.join(''),
    stop: () => cairn.stop(),
  };
}

export function tempDatabase(): { path: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-e2e-'));
  return { path: join(dir, 'cairn.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs` with the last value seen. */
export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    last = value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a command in a pod's first container through the API's exec subresource; resolves with stdout. */
export function exec(kc: KubeConfig, namespace: string, pod: string, container: string, command: string[]): Promise<string> {
  let out = '';
  const stdout = new Writable({ write: (chunk, _e, cb) => ((out += String(chunk)), cb()) });
  const stderr = new Writable({ write: (_c, _e, cb) => cb() });
  return new Promise((resolve, reject) => {
    new Exec(kc).exec(namespace, pod, container, command, stdout, stderr, null, false, () => resolve(out)).catch(reject);
  });
}

export const podsApi = (kc: KubeConfig) => kc.makeApiClient(CoreV1Api);

/**
 * Two sandbox clusters and one cairn for a whole test file: started before its tests, stopped after.
 * `started` receives them (assign them to the file's own variables).
 */
export function useCairn(started: (running: { cairn: Cairn; sandboxes: Sandboxes }) => void): void {
  let sandboxes: Sandboxes | undefined;
  let cairn: Cairn | undefined;
  let db: ReturnType<typeof tempDatabase> | undefined;
  beforeAll(async () => {
    sandboxes = await startSandboxes();
    db = tempDatabase();
    cairn = await startCairn(sandboxes, db.path);
    started({ cairn, sandboxes });
  });
  afterAll(async () => {
    await cairn?.stop();
    await sandboxes?.stop();
    db?.remove();
  });
}
