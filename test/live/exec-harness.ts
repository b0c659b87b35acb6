/**
 * Set-up of the logs, exec and terminal tests: one sandbox cluster (its node agent started here so
 * that the test sees each log stream's end from the kubelet's side), cairn's real server on port 0
 * with graphql-ws and SSE clients, and an nginx instance deployed through the kube layer.
 */
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { createCairn } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import { presetSettings } from '../../src/domain/official-images.js';
import type { ConfigSettings } from '../../src/domain/config-types.js';
import { createWorkloads, type EnvironmentTarget } from '../../src/kube/workloads.js';
import type { Terminals } from '../../src/live/terminal.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import type { KubeletApi } from '../../src/sandbox/kubelet-api.js';
import { startNodeAgent, type NodeAgent } from '../../src/sandbox/node/index.js';
import type { CairnServer } from '../../src/server/index.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { alwaysReachable, testConfig } from '../helpers/cairn.js';
import { kubeconfigText } from '../kube/fake-api-server.js';
import { memoryLogger, sseEvents } from '../server/helpers.js';

export const SPEED = 50;

/** What the kubelet saw of each log request: when it started and when its client went away. */
export interface LogStreamRecord {
  pod: string;
  follow: boolean;
  startedAt: number;
  /** When the API server aborted it because its client (cairn) closed the request; undefined while open. */
  abortedAt?: number;
}

/** What the kubelet saw of each exec: its command, and when its client (cairn) went away. */
export interface ExecStreamRecord {
  pod: string;
  command: string[];
  tty: boolean;
  startedAt: number;
  /** When the API server aborted it because the client closed the WebSocket; undefined while open. */
  abortedAt?: number;
}

export interface LiveWorld {
  cluster: SandboxCluster;
  kc: KubeConfig;
  server: CairnServer;
  url: string;
  /** The secret of the admin token every client of the world sends. */
  token: string;
  terminals: Terminals;
  config: Config;
  logStreams: LogStreamRecord[];
  execStreams: ExecStreamRecord[];
  /** Runs an operation as the world's admin token, or as `token`. */
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: any; errors?: Array<{ message: string }> }>;
  /** Issues another admin token (its secret). */
  anotherToken(name: string): Promise<string>;
  ws(): Client;
  /** Creates an app with its production environment on the sandbox; returns the environment's global ID and target. */
  createApp(name: string): Promise<{ environmentId: string; testEnvironmentId: string; target: EnvironmentTarget }>;
  /** Deploys revision 1 with `settings` and waits until `replicas` pods run and are Ready. */
  deploy(target: EnvironmentTarget, settings: ConfigSettings, replicas?: number): Promise<V1Pod[]>;
  stop(): Promise<void>;
}

/** NGINX with quick probes, an env var and a mounted file. */
export function nginxSettings(overrides: Partial<ConfigSettings> = {}): ConfigSettings {
  const s = presetSettings('NGINX');
  const quick = (p: ConfigSettings['readinessProbe']) => p && { ...p, initialDelaySeconds: 1, periodSeconds: 5 };
  return {
    ...s,
    instances: 1,
    livenessProbe: null,
    readinessProbe: quick(s.readinessProbe),
    env: [{ name: 'GREETING', value: 'hello from cairn', secret: false }],
    fileMounts: [{ path: '/etc/cairn/motd.txt', content: 'welcome aboard\n' }],
    directoryMounts: [],
    terminationGracePeriodSeconds: 1,
    ...overrides,
  };
}

export async function startLiveWorld(overrides: Partial<Config> = {}): Promise<LiveWorld> {
  const name = `live-${Math.random().toString(36).slice(2, 8)}`;
  const cluster = await startSandboxCluster({ name, speed: SPEED, nodeAgent: false, nodes: 1 });
  const logStreams: LogStreamRecord[] = [];
  const execStreams: ExecStreamRecord[] = [];
  const watchLogs = (api: KubeletApi): KubeletApi => ({
    exec(namespace, pod, request, io, signal) {
      const record: ExecStreamRecord = { pod, command: request.command, tty: request.tty, startedAt: Date.now() };
      execStreams.push(record);
      signal.addEventListener('abort', () => (record.abortedAt = Date.now()), { once: true });
      return api.exec(namespace, pod, request, io, signal);
    },
    async logs(namespace, pod, options, signal) {
      const record: LogStreamRecord = { pod, follow: options.follow ?? false, startedAt: Date.now() };
      logStreams.push(record);
      signal.addEventListener('abort', () => (record.abortedAt = Date.now()), { once: true });
      return api.logs(namespace, pod, options, signal);
    },
  });
  let agent: NodeAgent | undefined;
  try {
    agent = await startNodeAgent({ kubeconfig: cluster.kubeconfig, clusterName: name, nodes: 1, clock: cluster.clock, registerKubelet: (node, api) => cluster.registerKubelet(node, watchLogs(api)) });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);

  const logs = memoryLogger();
  const config = testConfig({ logLevel: 'silent', terminalReconnectGraceMs: 2000, terminalIdleTimeoutMs: 60_000, ...overrides });
  // The same API server under two names: an app's production and test environments need two clusters.
  const documents = [{ text: kubeconfigText([{ name, server: cluster.url, token: cluster.token }, { name: `${name}-b`, server: cluster.url, token: cluster.token }]), origin: 'test', sandbox: true }];
  // The release engine does not run: the test deploys through the Kubernetes layer itself.
  const cairn = await createCairn(config, { logger: logs.logger, kubeconfig: { documents }, testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false } });
  const { url } = await cairn.start();
  const { server, repos, terminals } = cairn;
  const kube = createWorkloads(() => kc, { retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 } });
  const clients: Client[] = [];
  const token = await issueTestToken(repos, { name: 'test-admin', admin: true });

  const gql: LiveWorld['gql'] = async (query, variables, as = token) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(as) }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
  };

  return {
    cluster,
    kc,
    server,
    url,
    token,
    terminals,
    config,
    logStreams,
    execStreams,
    gql,
    anotherToken: (name) => issueTestToken(repos, { name, admin: true }),
    ws() {
      const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: bearer(token) });
      clients.push(client);
      return client;
    },
    async createApp(appName) {
      const res = await gql(
        `mutation ($input: CreateAppInput!) { createApp(input: $input) { __typename ... on CreateAppPayload { app { environments { id kind namespace } } } ... on Error { message } } }`,
        { input: { name: appName, businessType: 'ERP', appType: 'STATELESS', productionCluster: name, testCluster: `${name}-b`, officialImage: 'NGINX' } },
      );
      const envs = res.data?.createApp?.app?.environments as Array<{ id: string; kind: string; namespace: string }> | undefined;
      if (!envs) throw new Error(`createApp: ${JSON.stringify(res)}`);
      const production = envs.find((e) => e.kind === 'PRODUCTION')!;
      const test = envs.find((e) => e.kind === 'TEST')!;
      return {
        environmentId: production.id,
        testEnvironmentId: test.id,
        target: { cluster: name, namespace: production.namespace, appName, appType: 'STATELESS', environmentKind: 'PRODUCTION' },
      };
    },
    async deploy(target, settings, replicas = 1) {
      const base = await kube.ensureBase(target, settings.ports);
      if (!base.ok) throw new Error(`ensureBase: ${JSON.stringify(base.error)}`);
      const result = await kube.ensureRevision(target, { number: 1, image: 'nginx:1.27', settings }, replicas);
      if (!result.ok) throw new Error(`ensureRevision: ${JSON.stringify(result.error)}`);
      return await podsReady(kc, target.namespace, replicas);
    },
    async stop() {
      await Promise.all(clients.map(async (c) => c.dispose()));
      await cairn.stop();
      await agent?.stop();
      await cluster.stop();
    },
  };
}

/** The global ID of the Instance `pod` of the environment `environmentId` (as `environment.instances` gives it). */
export function instanceId(environmentId: string, pod: string): string {
  return encodeGlobalID('Instance', `${decodeGlobalID(environmentId).id}/${pod}`);
}

/** Waits (polling the API, bounded) until `count` pods of the namespace run and are Ready (having restarted `minRestarts` times). */
export async function podsReady(kc: KubeConfig, namespace: string, count: number, { timeoutMs = 20_000, minRestarts = 0 } = {}): Promise<V1Pod[]> {
  const api = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = (await api.listNamespacedPod({ namespace })).items.filter(
      (p) =>
        !p.metadata?.deletionTimestamp &&
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
        (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= minRestarts,
    );
    if (pods.length >= count) return pods;
    if (Date.now() > deadline) throw new Error(`pods not Ready in ${namespace} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a subscription over server-sent events; `next()` gives each event's `data`, `close()` leaves. */
export function sseSubscribe(world: Pick<LiveWorld, 'url' | 'token'>, query: string, variables: Record<string, unknown>) {
  const abort = new AbortController();
  const pending = fetch(world.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(world.token) },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  let events: AsyncGenerator<{ event: string; data: string }> | undefined;
  return {
    async next(): Promise<any | undefined> {
      events ??= sseEvents((await pending).body!);
      for (;;) {
        const { value, done } = await events.next();
        if (done) return undefined;
        if (value.event === 'complete') return undefined;
        if (value.event === 'next') return JSON.parse(value.data);
      }
    },
    close: () => abort.abort(),
  };
}
