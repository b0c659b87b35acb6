/** Where cairn's clusters come from: every case of chooseClusters, one row each. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { allowedClusters, chooseClusters, type ClusterFacts, noClusterAllowed } from '../../src/kube/cluster-source.js';
import { createClusterRegistry } from '../../src/kube/registry.js';
import { alwaysReachable } from '../helpers/cairn.js';

const DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const none: ClusterFacts = { serviceAccountToken: false, serviceAccountDir: DIR, kubeconfigFiles: [] };
const pod = { serviceHost: '10.96.0.1', servicePort: '443' };
const withToken = { ...pod, serviceAccountToken: true };
const file = ['/etc/cairn/kubeconfig/config'];

describe('chooseClusters', () => {
  const rows: Array<[string, Partial<ClusterFacts>, string, Record<string, unknown>]> = [
    ['nothing, not in a pod: sandbox', {}, 'sandbox', { ignored: [] }],
    ['nothing, not in a pod, CAIRN_SANDBOX=false: no start', { sandbox: false }, 'none', {}],
    ['a kubeconfig, not in a pod: its clusters', { kubeconfigFiles: file }, 'clusters', { inCluster: false, files: file }],
    ['a kubeconfig and CAIRN_SANDBOX=true: sandbox, the kubeconfig ignored', { kubeconfigFiles: file, sandbox: true }, 'sandbox', { ignored: [`kubeconfig ${file[0]}`] }],
    ['in a pod with its service account: the cluster it runs in', withToken, 'clusters', { inCluster: true, files: [] }],
    ['in a pod with its service account and a kubeconfig: both', { ...withToken, kubeconfigFiles: file }, 'clusters', { inCluster: true, files: file }],
    ['in a pod without a token but with a kubeconfig (remote clusters only)', { ...pod, kubeconfigFiles: file }, 'clusters', { inCluster: false, files: file }],
    ['in a pod without a token and without a kubeconfig: no start, never a silent sandbox', pod, 'none', {}],
    ['in a pod without KUBERNETES_SERVICE_PORT: no start', { serviceHost: '10.96.0.1', serviceAccountToken: true }, 'none', {}],
    ['in a pod, CAIRN_SANDBOX=true: sandbox, the service account ignored', { ...withToken, sandbox: true }, 'sandbox', { ignored: ['the in-cluster service account'] }],
    ['in a pod with its service account, CAIRN_SANDBOX=false: the cluster it runs in', { ...withToken, sandbox: false }, 'clusters', { inCluster: true }],
    ['a token file but not in a pod: not in-cluster (sandbox)', { serviceAccountToken: true }, 'sandbox', {}],
  ];
  it.each(rows)('%s', (_name, facts, kind, more) => {
    expect(chooseClusters({ ...none, ...facts })).toMatchObject({ kind, ...more });
  });

  it('says why, naming what is missing and what to do', () => {
    const refused = chooseClusters({ ...none, ...pod });
    expect(refused.reason).toContain(`no service account token in ${DIR}`);
    expect(refused.reason).toContain('CAIRN_SANDBOX=true');
    expect(chooseClusters({ ...none, ...withToken, kubeconfigFiles: file }).reason).toBe(`clusters from the service account in ${DIR} and kubeconfig ${file[0]}`);
  });
});

describe('allowedClusters (CAIRN_CLUSTERS)', () => {
  it('keeps every cluster without an allow-list', () => {
    expect(allowedClusters(['a', 'b'], undefined)).toEqual({ kept: ['a', 'b'], dropped: [], unknown: [] });
  });
  it('keeps the allowed ones and names the allowed ones that exist nowhere', () => {
    expect(allowedClusters(['in-cluster', 'staging', 'prod'], ['prod', 'in-cluster', 'typo'])).toEqual({ kept: ['in-cluster', 'prod'], dropped: ['staging'], unknown: ['typo'] });
  });
});

describe('an allow-list (CAIRN_CLUSTERS) that keeps no cluster', () => {
  const kubeconfig = (name: string) =>
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server: 'https://127.0.0.1:1' } }],
      users: [{ name, user: { token: 't' } }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
    });

  it('names what it allows, what was found and what to do', () => {
    expect(noClusterAllowed(['prod'], ['staging', 'dev'])).toBe(
      'the allow-list CAIRN_CLUSTERS (prod) keeps none of the clusters found (staging, dev): name at least one of them, or unset CAIRN_CLUSTERS',
    );
    expect(noClusterAllowed(['prod'], [])).toContain('keeps none of the clusters found (none)');
    const many = Array.from({ length: 30 }, (_, i) => `c${i}`);
    expect(noClusterAllowed(['prod'], many)).toContain('c19 and 10 more)');
  });

  it('fails the load (a failed start), where one kept cluster loads', () => {
    const registry = (allow: string[]) => createClusterRegistry({ logger: pino({ level: 'silent' }), check: alwaysReachable, checkIntervalMs: 60_000, allow });
    const none = registry(['prod']);
    expect(() => none.load([{ text: kubeconfig('staging'), origin: 'test', sandbox: false }])).toThrow(noClusterAllowed(['prod'], ['staging']));
    expect(none.loaded).toBe(false);
    const one = registry(['staging', 'prod']);
    one.load([{ text: kubeconfig('staging'), origin: 'test', sandbox: false }]);
    expect(one.list().map((c) => c.name)).toEqual(['staging']);
  });
});
