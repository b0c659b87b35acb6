/** The pure rules of bounded cluster calls: which request a client-node method sends, its timeout, watch windows, reachability. */
import { describe, expect, it } from 'vitest';
import { describeCall, describeMethod, objectOf } from '../../src/kube/kube-request.js';
import { DEFAULT_KUBE_TIMEOUTS, timeoutForVerb, watchTimeoutSeconds } from '../../src/kube/kube-timeouts.js';
import { reachabilityAfter } from '../../src/kube/registry.js';
import { toKubeError } from '../../src/kube/kube-errors.js';
import { KubeCancelledError, KubeTimeoutError } from '../../src/kube/deadline.js';

describe('describeMethod', () => {
  it.each([
    ['createNamespacedDeployment', { verb: 'create', kind: 'Deployment' }],
    ['readNamespacedPod', { verb: 'get', kind: 'Pod' }],
    ['readNamespacedPodLog', { verb: 'get', kind: 'PodLog' }],
    ['listNamespacedEvent', { verb: 'list', kind: 'Event' }],
    ['listPodForAllNamespaces', { verb: 'list', kind: 'Pod' }],
    ['patchNamespacedStatefulSet', { verb: 'patch', kind: 'StatefulSet' }],
    ['replaceNamespacedConfigMap', { verb: 'update', kind: 'ConfigMap' }],
    ['deleteNamespacedSecret', { verb: 'delete', kind: 'Secret' }],
    ['deleteCollectionNamespacedPod', { verb: 'deletecollection', kind: 'Pod' }],
    ['connectGetNamespacedPodExec', { verb: 'connect', kind: 'PodExec' }],
    ['createNamespace', { verb: 'create', kind: 'Namespace' }],
    ['getCode', { verb: 'get', kind: 'Version' }],
    ['api', null],
    ['constructor', null],
    ['listing', null],
  ])('%s → %j', (method, expected) => {
    expect(describeMethod(method)).toEqual(expected);
  });

  it('takes namespace and name from the parameters', () => {
    const request = describeCall('prod', 'patchNamespacedDeployment', { name: 'web-r2', namespace: 'cairn-web', body: {} });
    expect(request).toEqual({ cluster: 'prod', verb: 'patch', kind: 'Deployment', namespace: 'cairn-web', name: 'web-r2' });
    expect(objectOf(request!)).toBe('Deployment cairn-web/web-r2');
    expect(objectOf(describeCall('prod', 'getCode', undefined)!)).toBe('Version');
  });
});

describe('timeouts', () => {
  it('lists get the list timeout, every other verb the request timeout', () => {
    const t = { ...DEFAULT_KUBE_TIMEOUTS, requestMs: 10, listMs: 20 };
    expect(['get', 'create', 'update', 'patch', 'delete', 'connect'].map((v) => timeoutForVerb(v, t))).toEqual([10, 10, 10, 10, 10, 10]);
    expect(['list', 'deletecollection'].map((v) => timeoutForVerb(v, t))).toEqual([20, 20]);
  });

  it('a watch asks the server to end it inside the inactivity window', () => {
    expect(watchTimeoutSeconds(300, { ...DEFAULT_KUBE_TIMEOUTS, watchIdleMs: 90_000 })).toBe(60);
    expect(watchTimeoutSeconds(5, { ...DEFAULT_KUBE_TIMEOUTS, watchIdleMs: 90_000 })).toBe(5);
    expect(watchTimeoutSeconds(300, { ...DEFAULT_KUBE_TIMEOUTS, watchIdleMs: 1_000 })).toBe(1);
  });

  it('a request that timed out or was cancelled is Unavailable (retryable), with a plain message', () => {
    expect(toKubeError(new KubeTimeoutError('no answer within 10000 ms'))).toEqual({ kind: 'Unavailable', message: 'no answer within 10000 ms', status: null });
    expect(toKubeError(new KubeCancelledError())).toEqual({ kind: 'Unavailable', message: 'cancelled: cairn is shutting down', status: null });
  });
});

describe('reachabilityAfter (threshold 3)', () => {
  it.each([
    [true, false, 1, true],
    [true, false, 2, true],
    [true, false, 3, false],
    [null, false, 1, null],
    [null, false, 3, false],
    [false, false, 4, false],
    [false, true, 0, true],
    [null, true, 0, true],
  ] as const)('was %s, check ok=%s, %i failures in a row → %s', (before, succeeded, failures, after) => {
    expect(reachabilityAfter(before, succeeded, failures, 3)).toBe(after);
  });
});
