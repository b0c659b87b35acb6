/**
 * Visible retries: each retried and each finally failed request to a cluster leaves a debug line
 * naming the cluster, the verb, the object and the status (or why there was none).
 */
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../src/kube/bounded-kubeconfig.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../../src/kube/kube-timeouts.js';
import { createWorkloads, type Workloads } from '../../src/kube/workloads.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { memoryLogger } from '../server/helpers.js';
import { nginxSettings, target } from './workloads-helpers.js';

let cluster: SandboxCluster;
let kube: Workloads;
const logs = memoryLogger();
const t = target('loud', 'STATELESS', 'kube-retries');
const settings = nginxSettings();

beforeAll(async () => {
  cluster = await startSandboxCluster({ name: 'kube-retries', speed: 100 });
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig);
  const bounded = new BoundedKubeConfig(kc, { cluster: 'kube-retries', timeouts: { ...DEFAULT_KUBE_TIMEOUTS, requestMs: 300 } });
  kube = createWorkloads(() => bounded, { retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20, logger: logs.logger } });
  expect((await kube.ensureBase(t, settings.ports)).ok).toBe(true);
});
afterAll(async () => {
  cluster?.faults.clear();
  await cluster?.stop();
});

const failures = () => logs.lines().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('cluster request failed'));

describe('retried and failed cluster requests', () => {
  it('a request answered 500 once is logged at debug with cluster, verb, object and status, then succeeds', async () => {
    const before = failures().length;
    cluster.faults.failRequests({ verb: 'create', resource: 'deployments', code: 500, times: 1 });
    expect((await kube.ensureRevision(t, { number: 1, image: 'nginx:latest', settings }, 1)).ok).toBe(true);
    expect(failures().slice(before)).toEqual([
      expect.objectContaining({
        level: 20,
        msg: 'cluster request failed; retrying',
        cluster: 'kube-retries',
        verb: 'create',
        object: 'Deployment cairn-loud',
        status: 500,
        kind: 'Unavailable',
        attempt: 1,
      }),
    ]);
  });

  it('a request that is never answered times out, is logged as such, and is sent again; the last failure says it gave up', async () => {
    const before = failures().length;
    const remove = cluster.faults.hangRequests({ verb: 'patch', resource: 'deployments' });
    try {
      expect(await kube.scaleRevision(t, 1, 2)).toMatchObject({ ok: false, error: { kind: 'Unavailable', message: 'no answer within 300 ms', status: null } });
    } finally {
      remove();
    }
    const object = `Deployment ${t.namespace}/${t.appName}-production-r1`;
    expect(failures().slice(before).map((l) => [l.msg, l.cluster, l.verb, l.object, l.status, l.error, l.attempt])).toEqual([
      ['cluster request failed; retrying', 'kube-retries', 'patch', object, null, 'no answer within 300 ms', 1],
      ['cluster request failed; retrying', 'kube-retries', 'patch', object, null, 'no answer within 300 ms', 2],
      ['cluster request failed', 'kube-retries', 'patch', object, null, 'no answer within 300 ms', 3],
    ]);
  });
});
