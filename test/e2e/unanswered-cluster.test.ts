/**
 * A cluster whose network path swallows every new connection (a TCP proxy in front of the API
 * server, so this runs against sandbox and real control planes alike): the order's requests get no
 * answer, time out and are retried; once the path is back, the order goes on and completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCairn, startSandboxes, tempDatabase, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, readOrder, setDraft } from './operations.js';
import { kubeconfigVia, serverOf, startBlackholeProxy, type BlackholeProxy } from './blackhole-proxy.js';

let sandboxes: Sandboxes;
let cairn: Cairn;
let proxy: BlackholeProxy;
let db: ReturnType<typeof tempDatabase>;

beforeAll(async () => {
  sandboxes = await startSandboxes();
  const production = sandboxes.clusters[0]!;
  proxy = await startBlackholeProxy(serverOf(production.kubeconfig));
  const throughProxy: Sandboxes = {
    ...sandboxes,
    clusters: sandboxes.clusters.map((c) => (c === production ? { ...c, kubeconfig: kubeconfigVia(c.kubeconfig, proxy.url) } : c)),
  };
  db = tempDatabase();
  cairn = await startCairn(throughProxy, db.path, { kubeTimeouts: { connectMs: 1000, requestMs: 1000, listMs: 1500, watchIdleMs: 5000 } });
});
afterAll(async () => {
  await cairn?.stop();
  await proxy?.close();
  await sandboxes?.stop();
  db?.remove();
});

describe('a cluster that stops answering', () => {
  it('an order started while no connection is answered waits, then completes once the cluster answers again', async () => {
    const { envId } = await createApp(cairn, 'silent', 'STATELESS');
    await setDraft(cairn, envId, { instances: 2, tag: '1.25', greeting: 'a', file: 'a' });
    proxy.blackhole();
    const id = (await createOrder(cairn, { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder.id;
    // Requests were sent and swallowed: the engine keeps trying (each attempt times out) …
    await proxy.held(4);
    expect(await readOrder(cairn, id)).toMatchObject({ state: 'DEPLOYING', batchesDone: 0 });
    proxy.restore();
    // … and the order goes on as soon as the cluster answers again.
    const done = await until('COMPLETED', async () => {
      const o = await readOrder(cairn, id);
      return o.state === 'COMPLETED' ? o : undefined;
    }, 60_000);
    expect(done.batchesDone).toBe(2);
    expect(done.transitions.map((t: { to: string }) => t.to)).toEqual(['DEPLOYING', 'COMPLETED']);
  }, 90_000);
});
