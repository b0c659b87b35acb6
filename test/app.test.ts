/** createCairn (src/app.ts): built, started on a sandbox cluster, queried over HTTP, stopped (once, however often asked). */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cairn, createCairn, type SandboxStarter } from '../src/app.js';
import { startSandboxCluster } from '../src/sandbox/cluster.js';
import { alwaysReachable, clusterSources, testConfig } from './helpers/cairn.js';
import { startFakePodsApi } from './helpers/fake-pods-api.js';
import { memoryLogger } from './server/helpers.js';

let cairn: Cairn | undefined;
let dir: string | undefined;
afterEach(async () => {
  await cairn?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  cairn = undefined;
  dir = undefined;
});

describe('createCairn', () => {
  it('starts on the clusters its sandbox starter gives, answers over HTTP, and stops once, in order, however often asked', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cairn-app-'));
    const logs = memoryLogger();
    let sandboxStopped = false;
    const sandbox: SandboxStarter = async (started) => {
      const cluster = await startSandboxCluster({ name: 'alpha', controllers: false, nodeAgent: false });
      started({ name: 'sandbox cluster alpha', stop: async () => ((sandboxStopped = true), await cluster.stop()) });
      return [{ text: cluster.kubeconfig, origin: 'sandbox alpha', sandbox: true }];
    };
    cairn = await createCairn(testConfig({ databasePath: join(dir, 'cairn.db'), shutdownTimeoutMs: 500 }), { logger: logs.logger, kubeconfig: { sandbox } });
    expect(cairn.clusters.loaded).toBe(false); // the sandbox starts with cairn, not before

    const { url } = await cairn.start();
    expect(cairn.start()).toBe(cairn.start());
    // The first start wrote the admin token next to the database.
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: '{ clusters { name reachable sandbox } }' }),
    });
    expect(await response.json()).toEqual({ data: { clusters: [{ name: 'alpha', reachable: true, sandbox: true }] } });
    expect((await fetch(new URL('/readyz', url))).status).toBe(200);

    const stopping = cairn.stop();
    expect(cairn.stop()).toBe(stopping);
    await stopping;
    await cairn.stop();
    expect(cairn.clusterCalls.aborted).toBe(true);
    expect(sandboxStopped).toBe(true);
    expect(cairn.database.sqlite!.open).toBe(false);
    const messages = logs.lines().map((l) => l.msg);
    const order = ['server stopped', 'release engine stopped'].map((m) => messages.indexOf(m));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order[0]).toBeLessThan(order[1]!);
    expect(logs.lines().filter((l) => l.msg === 'stopping failed')).toEqual([]);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('is not ready while the database does not answer, and says so', async () => {
    const pods = await startFakePodsApi();
    try {
      cairn = await createCairn(testConfig({ shutdownTimeoutMs: 500 }), {
        logger: memoryLogger().logger,
        kubeconfig: { documents: clusterSources(['alpha'], pods.url) },
        testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false },
      });
      const { url } = await cairn.start();
      expect((await fetch(new URL('/readyz', url))).status).toBe(200);
      await cairn.database.close();
      const response = await fetch(new URL('/readyz', url));
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'not ready', reasons: ['the database does not answer: the database is closed'] });
    } finally {
      await cairn?.stop();
      await pods.stop();
    }
  });

  it('stops a sandbox that comes up after the stop began, and never starts the engine then', async () => {
    const logs = memoryLogger();
    let release!: () => void;
    const late = new Promise<void>((resolve) => (release = resolve));
    let asked!: () => void;
    const starterCalled = new Promise<void>((resolve) => (asked = resolve));
    let stoppedAtOnce = false;
    const sandbox: SandboxStarter = async (started) => {
      asked();
      await late;
      started({ name: 'late sandbox', stop: () => void (stoppedAtOnce = true) });
      return [];
    };
    cairn = await createCairn(testConfig({ shutdownTimeoutMs: 500 }), { logger: logs.logger, kubeconfig: { sandbox }, testing: { bootstrapAdminToken: false } });
    const starting = cairn.start();
    await starterCalled;
    const stopping = cairn.stop();
    release();
    await Promise.all([starting, stopping]);
    expect(stoppedAtOnce).toBe(true);
    expect(cairn.clusters.loaded).toBe(false);
    expect(logs.lines().map((l) => l.msg)).not.toContain('release engine stopped');
  });
});
