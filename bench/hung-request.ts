/**
 * How long one request that a cluster never answers holds up a step, and how fast a shutdown frees
 * a step stuck on one.
 *
 *   npx tsx bench/hung-request.ts                (CAIRN_KUBE_REQUEST_TIMEOUT_MS=2000 to try another bound)
 *
 * A sandbox cluster (no controllers, no node agent) whose API server accepts the first Deployment
 * create and never answers it. cairn's kube layer, as main.ts wires it (a registry KubeConfig with
 * the configured bounds, withRetry's defaults), runs ensureRevision; the figure is the time from the
 * call to its success beside the floor (the same call with nothing hung, plus the request bound), and
 * the time from the hung create to the second one (the stall). Then a
 * second call with every create hanging is cut by the shutdown signal; the figure is the time from
 * the abort to the call's end.
 */
import { performance } from 'node:perf_hooks';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { BoundedKubeConfig } from '../src/kube/bounded-kubeconfig.js';
import { kubeTimeouts } from '../src/kube/kube-timeouts.js';
import { createWorkloads } from '../src/kube/workloads.js';
import { presetSettings } from '../src/domain/official-images.js';
import { startSandboxCluster } from '../src/sandbox/cluster.js';

const config = loadConfig();
const timeouts = kubeTimeouts(config);
const cluster = await startSandboxCluster({ name: 'bench-hung', controllers: false, nodeAgent: false });
const shutdown = new AbortController();
const kc = new KubeConfig();
kc.loadFromString(cluster.kubeconfig);
const bounded = new BoundedKubeConfig(kc, { cluster: 'bench-hung', timeouts, signal: shutdown.signal });
const kube = createWorkloads(() => bounded, { retry: { signal: shutdown.signal, logger: pino({ level: 'silent' }) } });
const target = { cluster: 'bench-hung', namespace: 'cairn-bench', appName: 'bench', appType: 'STATELESS', environmentKind: 'PRODUCTION' } as const;
const settings = { ...presetSettings('NGINX'), fileMounts: [], env: [] };

try {
  if (!(await kube.ensureBase(target, settings.ports)).ok) throw new Error('ensureBase failed');
  // The floor: the same call with nothing hung (another revision's Deployment), in the same run.
  const floorStarted = performance.now();
  if (!(await kube.ensureRevision(target, { number: 2, image: 'nginx:latest', settings }, 1)).ok) throw new Error('ensureRevision failed');
  const floor = performance.now() - floorStarted;
  cluster.faults.hangRequests({ verb: 'create', resource: 'deployments', times: 1 });
  const started = performance.now();
  const result = await kube.ensureRevision(target, { number: 1, image: 'nginx:latest', settings }, 1);
  const took = performance.now() - started;
  const creates = cluster.counters.requests({ verb: 'create', resource: 'deployments' });
  // The floor's create, then the hung one and its retry.
  const stall = creates.length === 3 ? creates[2]!.time.getTime() - creates[1]!.time.getTime() : NaN;

  cluster.faults.hangRequests({ verb: 'patch', resource: 'deployments' });
  const cut = kube.scaleRevision(target, 1, 2);
  await cluster.counters.until(() => cluster.counters.requests({ verb: 'patch', resource: 'deployments' }).length > 0);
  const aborted = performance.now();
  shutdown.abort();
  const cancelled = await cut;
  const freed = performance.now() - aborted;

  console.log(`request timeout ${timeouts.requestMs} ms (CAIRN_KUBE_REQUEST_TIMEOUT_MS), connect ${timeouts.connectMs} ms`);
  console.log(`ensureRevision with one hung Deployment create: ${result.ok ? 'ok' : `failed (${result.error.message})`} after ${took.toFixed(0)} ms, beside ${floor.toFixed(1)} ms with nothing hung (floor) + the ${timeouts.requestMs} ms bound = ${(floor + timeouts.requestMs).toFixed(0)} ms`);
  console.log(`stall: the second create was sent ${stall.toFixed(0)} ms after the hung one`);
  console.log(`shutdown: a call stuck on a hung patch ended ${freed.toFixed(1)} ms after the abort (${cancelled.ok ? 'ok' : cancelled.error.message})`);
} finally {
  await cluster.stop();
}
