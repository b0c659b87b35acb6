/**
 * Live status against a sandbox cluster (no controllers, no node agent: the test alone changes the
 * pods), served by the real server on port 0: graphql-ws and SSE clients, and helpers that change
 * pods and write events through the Kubernetes API.
 */
import { CoreV1Api, KubeConfig, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createCairn } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { Repositories } from '../../src/db/repositories.js';
import type { OrderEvents } from '../../src/engine/order-events.js';
import type { LiveStatus, LiveStatusOptions } from '../../src/live/live-status.js';
import { kubeconfigText } from '../../src/sandbox/apiserver/kubeconfig.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import type { CairnServer } from '../../src/server/index.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { alwaysReachable, testConfig } from '../helpers/cairn.js';
import { memoryLogger, sseEvents } from '../server/helpers.js';
import { createApp } from '../helpers/operations.js';
import type { TestApi } from '../helpers/api.js';

export interface Subscription {
  /** The next payload (throws on GraphQL errors). */
  next(): Promise<any>;
  /** The next `n` payloads. */
  take(n: number): Promise<any[]>;
  close(): void;
}

export interface LiveHarness {
  cluster: SandboxCluster;
  live: LiveStatus;
  server: CairnServer;
  url: string;
  repos: Repositories;
  orderEvents: OrderEvents;
  core: CoreV1Api;
  /** The production environment of the app `web`: its global ID, namespace, pod labels. */
  env: { id: string; namespace: string; labels: Record<string, string>; appName: string };
  /** The secret of the admin token every client of the harness sends. */
  token: string;
  gql(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }>;
  ws(query: string, variables?: Record<string, unknown>, client?: Client): Subscription;
  sse(query: string, variables?: Record<string, unknown>): Subscription;
  wsClient(): Client;
  createPod(name: string, labels?: Record<string, string>): Promise<V1Pod>;
  /** Changes the pod (an annotation) and returns its new resourceVersion. */
  touchPod(name: string, value: string): Promise<string>;
  setPodStatus(name: string, status: V1Pod['status']): Promise<string>;
  deletePod(name: string): Promise<void>;
  createEvent(pod: string, type: 'Normal' | 'Warning', reason: string, message: string): Promise<CoreV1Event>;
  close(): Promise<void>;
}

/** Iterates an async source, keeping what arrived. */
function reader(source: AsyncIterator<any>, close: () => void): Subscription {
  const next = async () => {
    const r = await source.next();
    if (r.done) throw new Error('the subscription ended');
    return r.value;
  };
  return {
    next,
    async take(n) {
      const out: any[] = [];
      for (let i = 0; i < n; i++) out.push(await next());
      return out;
    },
    close,
  };
}

export interface HarnessOptions extends LiveStatusOptions {
  /**
   * Run the release engine (its environment watch on the shared informers, resync every minute:
   * progress must come from watch events) on a sandbox with controllers and a node agent at speed 100.
   */
  engine?: boolean;
  /** Configuration overrides for the server (limits …). */
  config?: Partial<Config>;
}

export async function startLiveHarness(options: HarnessOptions = {}): Promise<LiveHarness> {
  const cluster = options.engine
    ? await startSandboxCluster({ name: 'alpha', speed: 100 })
    : await startSandboxCluster({ name: 'alpha', controllers: false, nodeAgent: false });
  const logs = memoryLogger();
  const unavailable = { ok: false, error: { kind: 'Unavailable', message: 'not in this test', status: null } } as const;
  const cairn = await createCairn(testConfig({ shutdownTimeoutMs: 300, ...(options.engine ? { releaseBatchDeadlineMs: 30_000, releaseResyncIntervalMs: 60_000 } : {}), ...options.config }), {
    logger: logs.logger,
    kubeconfig: {
      documents: [
        { text: cluster.kubeconfig, origin: 'alpha', sandbox: true },
        { text: kubeconfigText([{ name: 'beta', url: cluster.url }]), origin: 'beta', sandbox: true },
      ],
    },
    testing: {
      check: alwaysReachable,
      bootstrapAdminToken: false,
      live: { ...options, informers: { idleMs: 100, timeoutSeconds: 30, ...options.informers }, hub: { lingerMs: 100, ...options.hub } },
      ...(options.engine
        ? // The engine's environment watch on the shared informers, resync every minute: progress must come from watch events.
          { retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 }, watchDebounceMs: 20 }
        : // No engine: a mutation's wake only tells the order's followers; nothing observes the cluster for the engine.
          { runEngine: false, kube: (kube) => ({ ...kube, observeEnvironment: async () => unavailable }) }),
    },
  });
  const { url } = await cairn.start();
  const { server, repos, live, orderEvents } = cairn;
  const token = await issueTestToken(repos, { name: 'test-admin', admin: true });
  const gql: LiveHarness['gql'] = async (query, variables) => {
    const res = await server.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(token) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: any[] };
  };
  const app = await createApp({ gql } as unknown as TestApi, 'web', { officialImage: 'NGINX' });
  const namespace = (app.production as unknown as { namespace: string }).namespace;
  const labels = { 'cairn.dev/app': 'web', 'cairn.dev/environment': 'production', 'app.kubernetes.io/managed-by': 'cairn', 'cairn.dev/revision': '1' };
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  // Creating the app made its namespace where the engine runs (src/engine/namespace-preparer.ts): made here otherwise.
  await cairn.reconciler.idle();
  await core.createNamespace({ body: { metadata: { name: namespace } } }).catch((error: unknown) => {
    if ((error as { code?: number }).code !== 409) throw error;
  });

  const clients: Client[] = [];
  const aborts: AbortController[] = [];
  const wsClient = () => {
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: bearer(token) });
    clients.push(client);
    return client;
  };

  return {
    cluster,
    live,
    server,
    url,
    repos,
    orderEvents,
    core,
    env: { id: app.production.id, namespace, labels, appName: 'web' },
    token,
    gql,
    wsClient,
    ws(query, variables, client) {
      const c = client ?? wsClient();
      const it = c.iterate<any>({ query, variables });
      const source = {
        async next() {
          const r = await it.next();
          if (r.done) return r;
          if (r.value.errors) throw new Error(JSON.stringify(r.value.errors));
          return { done: false, value: Object.values(r.value.data ?? {})[0] };
        },
      };
      return reader(source, () => void it.return?.());
    },
    sse(query, variables) {
      const abort = new AbortController();
      aborts.push(abort);
      const events = (async function* () {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(token) },
          body: JSON.stringify({ query, variables }),
          signal: abort.signal,
        });
        for await (const e of sseEvents(response.body!)) {
          if (e.event !== 'next') continue;
          const body = JSON.parse(e.data);
          if (body.errors) throw new Error(JSON.stringify(body.errors));
          yield Object.values(body.data ?? {})[0];
        }
      })();
      return reader(events, () => abort.abort());
    },
    createPod: (name, extra = {}) =>
      core.createNamespacedPod({ namespace, body: { metadata: { name, labels: { ...labels, ...extra } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } }),
    async touchPod(name, value) {
      const pod = await core.patchNamespacedPod({ name, namespace, body: [{ op: 'add', path: '/metadata/annotations', value: { 'test/step': value } }] });
      return pod.metadata!.resourceVersion!;
    },
    async setPodStatus(name, status) {
      const pod = await core.replaceNamespacedPodStatus({ name, namespace, body: { ...(await core.readNamespacedPod({ name, namespace })), status } });
      return pod.metadata!.resourceVersion!;
    },
    async deletePod(name) {
      await core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0 });
    },
    createEvent: (pod, type, reason, message) => {
      const now = new Date();
      return core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name: `${pod}.${Math.random().toString(36).slice(2, 10)}` },
          involvedObject: { kind: 'Pod', name: pod, namespace },
          type,
          reason,
          message,
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: 'kubelet' },
        },
      });
    },
    async close() {
      for (const a of aborts) a.abort();
      await Promise.all(clients.map(async (c) => c.dispose()));
      await cairn.stop();
      await cluster.stop();
    },
  };
}

export const INSTANCE_FIELDS = 'id name revision phase status ready restarts node ip startedAt resourceVersion containers { name state reason ready restarts } problem { reason message }';

export const INSTANCES_CHANGED = `subscription ($environment: ID!, $after: String) {
  instancesChanged(environment: $environment, after: $after) {
    kind cursor
    ... on LiveSnapshot { instances { ${INSTANCE_FIELDS} } }
    ... on InstanceChanged { change instance { ${INSTANCE_FIELDS} } }
    ... on BufferExceeded { missedFrom message }
  }
}`;

export const INSTANCE_EVENTS = `subscription ($environment: ID, $instance: ID, $warningsOnly: Boolean, $after: String) {
  instanceEvents(environment: $environment, instance: $instance, warningsOnly: $warningsOnly, after: $after) {
    kind cursor
    ... on LiveSnapshot { events { instanceName type reason message count } }
    ... on SystemEventReceived { event { instanceName type reason message count firstSeenAt lastSeenAt source } }
    ... on BufferExceeded { missedFrom }
  }
}`;
