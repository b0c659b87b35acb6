import { afterEach, describe, expect, it } from 'vitest';
import { versionCheck } from '../../src/kube/reachability.js';
import { createClusterRegistry } from '../../src/kube/registry.js';
import { memoryLogger } from '../server/helpers.js';
import { closedPort, kubeconfigText, startFakeApiServer } from './fake-api-server.js';

const TOKEN = 'registry-test-token-9f8e7d';
const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** `unreachableAfterFailures: 1` decides on each check, for the tests of everything else. */
async function setup(timeoutMs = 2000, unreachableAfterFailures = 1) {
  const api = await startFakeApiServer(TOKEN);
  stops.push(() => api.stop());
  const port = await closedPort();
  const logs = memoryLogger();
  let now = new Date('2026-01-02T03:04:05Z');
  const registry = createClusterRegistry({ logger: logs.logger, check: versionCheck(timeoutMs), checkIntervalMs: 60_000, unreachableAfterFailures, now: () => now });
  stops.push(() => registry.stop());
  registry.load([
    {
      text: kubeconfigText([
        { name: 'up', server: api.url, token: TOKEN },
        { name: 'down', server: `http://127.0.0.1:${port}`, token: TOKEN },
        { name: 'wrong-token', server: api.url, token: 'not-the-token-4242' },
      ]),
      origin: 'test',
      sandbox: false,
    },
  ]);
  return { api, registry, logs, setNow: (d: Date) => (now = d) };
}

describe('cluster registry', () => {
  it('lists every kubeconfig context as a cluster, unchecked at first', async () => {
    const { registry, api } = await setup();
    expect(registry.loaded).toBe(true);
    expect(registry.list()).toEqual([
      { name: 'down', server: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), reachable: null, lastCheckedAt: null, lastError: null, sandbox: false },
      { name: 'up', server: api.url, reachable: null, lastCheckedAt: null, lastError: null, sandbox: false },
      { name: 'wrong-token', server: api.url, reachable: null, lastCheckedAt: null, lastError: null, sandbox: false },
    ]);
    expect(registry.kubeConfig('up').getCurrentContext()).toBe('up');
    expect(registry.kubeConfig('up').getContexts()).toHaveLength(1);
  });

  it('checks reachability through client-node with the context credentials', async () => {
    const { registry, api } = await setup();
    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: true, lastError: null, lastCheckedAt: new Date('2026-01-02T03:04:05Z') });
    expect(registry.get('down')).toMatchObject({ reachable: false, lastError: 'connection refused' });
    expect(registry.get('wrong-token')).toMatchObject({ reachable: false, lastError: 'the API server answered HTTP 401' });
    expect(api.authorizations).toContain(`Bearer ${TOKEN}`);
  });

  it('gives up after the timeout', async () => {
    const { registry, api } = await setup(200);
    api.hang = true;
    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: false, lastError: 'no answer within 200 ms' });
  });

  it('a single HTTP 500 or hung check leaves a reachable cluster reachable (showing the error); three in a row make it unreachable; one success makes it reachable again', async () => {
    const { registry, api, logs } = await setup(200, 3);
    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: true, lastError: null });
    api.failNext = 1;
    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: true, lastError: 'the API server answered HTTP 500' });
    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: true, lastError: null });

    api.hang = true; // a check that is never answered counts as a failure
    await registry.checkAll();
    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: true, lastError: 'no answer within 200 ms' });
    api.hang = false;
    api.failNext = 1;
    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: false, lastError: 'the API server answered HTTP 500' });
    expect(logs.lines().filter((l) => l.msg === 'cluster unreachable' && l.cluster === 'up')).toEqual([
      expect.objectContaining({ error: 'the API server answered HTTP 500', failures: 3 }),
    ]);
    expect(logs.lines().filter((l) => l.msg === 'cluster check failed' && l.cluster === 'up').map((l) => l.error)).toEqual([
      'the API server answered HTTP 500',
      'no answer within 200 ms',
      'no answer within 200 ms',
    ]);

    await registry.checkAll();
    expect(registry.get('up')).toMatchObject({ reachable: true, lastError: null });
  });

  it('a cluster never reached stays unknown (with its error) until three checks in a row failed', async () => {
    const { registry } = await setup(200, 3);
    await registry.checkAll();
    await registry.checkAll();
    expect(registry.get('down')).toMatchObject({ reachable: null, lastError: 'connection refused' });
    await registry.checkAll();
    expect(registry.get('down')).toMatchObject({ reachable: false, lastError: 'connection refused' });
  });

  it('watch() yields the current state, then each reachability change, and stops when returned', async () => {
    const { registry, api, setNow } = await setup();
    await registry.checkAll();
    const watch = registry.watch();
    const first = await Promise.all([watch.next(), watch.next(), watch.next()]);
    expect(first.map((r) => [r.value?.name, r.value?.reachable])).toEqual([
      ['up', true],
      ['down', false],
      ['wrong-token', false],
    ]);

    setNow(new Date('2026-01-02T03:05:00Z'));
    await registry.checkAll(); // nothing changed: no event
    await api.stop();
    await registry.checkAll();
    // Both clusters behind the stopped API server change; the unchanged one stays quiet.
    const changed = await Promise.all([watch.next(), watch.next()]);
    expect(changed.map((r) => r.value).sort((a, b) => a!.name.localeCompare(b!.name))).toMatchObject([
      { name: 'up', reachable: false, lastError: 'connection refused', lastCheckedAt: new Date('2026-01-02T03:05:00Z') },
      { name: 'wrong-token', reachable: false, lastError: 'connection refused' },
    ]);

    const pending = watch.next();
    await watch.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('logs reachability changes without credentials', async () => {
    const { registry, logs } = await setup();
    await registry.checkAll();
    const changes = logs.lines().filter((l) => l.msg === 'cluster reachable' || l.msg === 'cluster unreachable');
    expect(changes.map((l) => [l.cluster, l.reachable]).sort()).toEqual([
      ['down', false],
      ['up', true],
      ['wrong-token', false],
    ]);
    expect(logs.text()).not.toContain(TOKEN);
    expect(logs.text()).not.toContain('not-the-token-4242');
  });
});

describe('periodic checks', () => {
  it('checks every cluster again each interval until stopped; after a failure, again sooner until it is decided', async () => {
    const logs = memoryLogger();
    let calls = 0;
    let reachable = true;
    const registry = createClusterRegistry({
      logger: logs.logger,
      checkIntervalMs: 60_000,
      recheckDelayMs: 5,
      check: async () => {
        calls += 1;
        return reachable ? { reachable, error: null } : { reachable, error: 'connection refused' };
      },
    });
    stops.push(() => registry.stop());
    registry.load([{ text: kubeconfigText([{ name: 'one', server: 'https://one.example', token: TOKEN }]), origin: 'test', sandbox: false }]);
    const watch = registry.watch();
    expect((await watch.next()).value).toMatchObject({ name: 'one', reachable: null });
    await registry.checkAll();
    registry.startChecking();
    expect((await watch.next()).value).toMatchObject({ name: 'one', reachable: true });
    reachable = false;
    // The interval is a minute: the re-checks after the first failure decide within milliseconds.
    await registry.checkAll();
    expect((await watch.next()).value).toMatchObject({ name: 'one', reachable: true, lastError: 'connection refused' });
    expect((await watch.next()).value).toMatchObject({ name: 'one', reachable: false, lastError: 'connection refused' });
    expect(calls).toBe(4);
    registry.stop();
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(calls).toBe(after);
    await watch.return?.();
  });
});

describe('test fixtures', () => {
  it('closedPort() gives a port nobody listens on', async () => {
    const port = await closedPort();
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });
});
