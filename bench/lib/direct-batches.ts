/**
 * The pods' own ready time, the floor of N concurrent releases: the same workload with no release
 * engine in the way. On a fresh sandbox cluster of the same size and speed, the bench itself creates
 * N Deployments (the pod template cairn renders for the seeded config: nginx, port 80, the same
 * readiness probe and resources, pull policy IfNotPresent) at the first batch's size, each after the
 * environment's Service cairn renders for that config (its own renderer: the sandbox then keeps the same
 * Endpoints up to date as pods come and go, as it does in cairn's run) and, driven by
 * its raw watches, scales each one to its next batch the moment the current batch's pods are Ready
 * — a release controller that costs nothing. Its figure is the time from the first create to every
 * pod Ready; the gaps it shows are the watch-and-PATCH floor of a batch gap on the same load.
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { renderService } from '../../src/kube/render/service.js';
import { inLanes } from './graphql.js';
import { rawWatch } from './raw-watch.js';
import { createReleaseTracker, reportProgress, type ReleaseFigures } from './release-tracker.js';
import { startPodsCluster } from './sandbox.js';

/** Batch sizes: `instances` spread over `batches`, the larger ones first. */
export function batchSizes(instances: number, batches: number): number[] {
  return Array.from({ length: batches }, (_, i) => Math.floor(instances / batches) + (i < instances % batches ? 1 : 0));
}

export function deployment(namespace: string, app: string, replicas: number) {
  const labels = { 'cairn.dev/app': app, 'cairn.dev/environment': 'production', 'cairn.dev/revision': '1', 'app.kubernetes.io/managed-by': 'cairn', 'app.kubernetes.io/name': app };
  const probe = { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${app}-production-r1`, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: { 'cairn.dev/app': app, 'cairn.dev/environment': 'production', 'cairn.dev/revision': '1' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
      revisionHistoryLimit: 1,
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: app,
              image: 'nginx:latest',
              imagePullPolicy: 'IfNotPresent',
              ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '250m', memory: '256Mi' } },
              readinessProbe: probe,
            },
          ],
          terminationGracePeriodSeconds: 1,
          restartPolicy: 'Always',
        },
      },
    },
  };
}

/**
 * The floor's client: node:http over kept-alive connections, at most 64 to the API server — the pool
 * cairn keeps per cluster (src/kube/keep-alive-agent.ts) — so the floor carries the cost of a lean
 * client (in this process, beside the sandbox), not that of fetch opening a connection per request.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64, scheduling: 'lifo' });

export function send(url: string, method: string, body: unknown, contentType = 'application/json'): Promise<void> {
  const payload = JSON.stringify(body);
  return new Promise<void>((resolve, reject) => {
    const req = request(url, { method, agent, timeout: 30_000, headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300) resolve();
        else reject(new Error(`${method} ${url}: ${res.statusCode} ${Buffer.concat(chunks).toString()}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer within 30 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The Service cairn renders for the seeded config's port (bench/lib/graphql.ts) in the production environment. */
export const service = (namespace: string, app: string) => renderService({ appName: app, environmentKind: 'PRODUCTION', namespace }, [{ containerPort: 80, protocol: 'TCP', name: 'http' }])!;

export interface DirectRun extends ReleaseFigures {
  /** First create sent → every pod Ready (ms). */
  totalMs: number;
}

export async function runDirectBatches(options: { releases: number; instances: number; batches: number; speed: number; timeoutMs: number }): Promise<DirectRun> {
  const { releases, instances, batches } = options;
  const sizes = batchSizes(instances, batches);
  const cumulative = sizes.map((_, i) => sizes.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const cluster = await startPodsCluster('bench-floor', options.speed, releases * instances);
  const base = cluster.url;
  const tracker = createReleaseTracker();
  const selector = 'labelSelector=app.kubernetes.io%2Fmanaged-by%3Dcairn';
  const watches = [
    rawWatch(base, `/api/v1/pods?${selector}`, (type, pod, at) => tracker.onPod(type, pod, at)),
    rawWatch(base, `/apis/apps/v1/deployments?${selector}`, (type, d, at) => tracker.onDeployment(type, d, at)),
  ];
  try {
    await Promise.all(watches.map((w) => w.opened));
    const apps = Array.from({ length: releases }, (_, i) => `direct-${String(i + 1).padStart(3, '0')}`);
    for (const app of apps) await send(`${base}/api/v1/namespaces`, 'POST', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: app } });
    tracker.onStepReady((namespace, _revision, step) => {
      const next = cumulative.find((n) => n > step.replicas);
      if (next === undefined) return;
      const scale = (attempt: number): Promise<void> =>
        send(`${base}/apis/apps/v1/namespaces/${namespace}/deployments/${namespace}-production-r1`, 'PATCH', { spec: { replicas: next } }, 'application/merge-patch+json').catch(async (error: unknown) => {
          // An overloaded sandbox may time a connection out: try again, as any controller would.
          if (attempt >= 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
          return scale(attempt + 1);
        });
      void scale(1).catch((error: unknown) => console.error('direct batches: scaling failed for good', error));
    });
    const started = performance.now();
    await inLanes(apps, releases, async (app) => {
      tracker.submitted(app, performance.now());
      await send(`${base}/api/v1/namespaces/${app}/services`, 'POST', service(app, app));
      await send(`${base}/apis/apps/v1/namespaces/${app}/deployments`, 'POST', deployment(app, app, sizes[0]!));
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the floor's pods were not all Ready within ${options.timeoutMs / 1000} s`)), options.timeoutMs);
    });
    const quiet = reportProgress(tracker, 'floor', releases * instances, releases * batches);
    const lastReadyAt = await Promise.race([tracker.allReady(apps, instances), timeout]).finally(() => (clearTimeout(timer), quiet()));
    return { ...tracker.results(), totalMs: lastReadyAt - started };
  } finally {
    for (const w of watches) w.stop();
    agent.destroy();
    await cluster.stop();
  }
}
