/**
 * The connect bound: a connection whose TLS handshake is never answered (a proxy that swallows
 * connections) fails after the connect timeout, well before the request timeout, for API calls
 * and streams alike; cairn's shutdown signal cuts both at once.
 */
import { CoreV1Api, KubeConfig, Log } from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoundedKubeConfig } from '../../src/kube/bounded-kubeconfig.js';
import { toKubeError } from '../../src/kube/kube-errors.js';
import { DEFAULT_KUBE_TIMEOUTS } from '../../src/kube/kube-timeouts.js';
import { streamLogs } from '../../src/live/logs.js';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';
import { kubeconfigVia, serverOf, startBlackholeProxy, type BlackholeProxy } from '../e2e/blackhole-proxy.js';

let cluster: SandboxCluster;
let proxy: BlackholeProxy;
let kc: KubeConfig;

beforeAll(async () => {
  // Over TLS: the proxy accepts the TCP connection, and the TLS handshake is what never gets an answer.
  cluster = await startSandboxCluster({ name: 'kube-connect', controllers: false, nodeAgent: false, tls: true });
  proxy = await startBlackholeProxy(serverOf(cluster.kubeconfig));
  kc = new KubeConfig();
  kc.loadFromString(kubeconfigVia(cluster.kubeconfig, proxy.url));
  proxy.blackhole();
});
afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

const bounded = (signal?: AbortSignal) =>
  new BoundedKubeConfig(kc, { cluster: 'kube-connect', timeouts: { ...DEFAULT_KUBE_TIMEOUTS, connectMs: 200, requestMs: 60_000, listMs: 60_000 }, signal });
const failure = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => toKubeError(error));

describe('a connection that is never answered', () => {
  it('an API call fails after the connect timeout, as Unavailable', async () => {
    const core = bounded().makeApiClient(CoreV1Api);
    expect(await failure(core.listNamespacedPod({ namespace: 'default' }))).toEqual({ kind: 'Unavailable', message: 'no connection within 200 ms', status: null });
  });

  it('a log stream fails after the connect timeout', async () => {
    await expect(streamLogs(bounded(), { namespace: 'default', pod: 'p', container: 'c', maxLineBytes: 1000 })).rejects.toThrow('no connection within 200 ms');
  });

  it('the shutdown signal cuts a call and a stream still connecting', async () => {
    const shutdown = new AbortController();
    const kcs = new BoundedKubeConfig(kc, { cluster: 'kube-connect', timeouts: { ...DEFAULT_KUBE_TIMEOUTS, connectMs: 60_000, requestMs: 60_000, listMs: 60_000 }, signal: shutdown.signal });
    const call = failure(kcs.makeApiClient(CoreV1Api).readNamespace({ name: 'default' }));
    const stream = new Log(kcs).log('default', 'p', 'c', new Writable({ write: (_c, _e, done) => done() })).then(() => null, (error: unknown) => error);
    await proxy.held(2);
    shutdown.abort();
    expect(await call).toEqual({ kind: 'Unavailable', message: 'cancelled: cairn is shutting down', status: null });
    expect(await stream).toBeInstanceOf(Error);
  });
});
