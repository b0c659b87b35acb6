import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { startServer, type TestServer } from './helpers.js';

const run = promisify(execFile);
const hasKubectl = await run('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);

let s: TestServer;
let dir: string;
const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', join(dir, 'kubeconfig.yaml'), ...args], { timeout: 20_000 }).then((r) => r.stdout);
const manifest = (env: string, replicas = 1) => {
  const path = join(dir, `app-${env}-${replicas}.yaml`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'app', namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'app' } },
        template: { metadata: { labels: { app: 'app' } }, spec: { containers: [{ name: 'main', image: 'nginx:1.25', env: [{ name: 'MODE', value: env }] }] } },
      },
    }),
  );
  return path;
};

beforeAll(async () => {
  s = await startServer({ token: '' }); // kubectl sends no credentials to a plain-http server
  dir = mkdtempSync(join(tmpdir(), 'cairn-kubectl-'));
  writeFileSync(join(dir, 'kubeconfig.yaml'), s.kubeconfig);
});
afterAll(() => s.close());

describe.skipIf(!hasKubectl)('kubectl against the API server', () => {
  it('applies, re-applies with a strategic merge patch, and keeps the last-applied annotation', async () => {
    expect(await kubectl('apply', '-f', manifest('one'))).toContain('deployment.apps/app created');
    expect(await kubectl('apply', '-f', manifest('two'))).toContain('deployment.apps/app configured');
    const d = await s.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'app', namespace: 'default' });
    expect(d.spec?.template.spec?.containers[0]?.env).toEqual([{ name: 'MODE', value: 'two' }]);
    expect(d.metadata?.annotations?.['kubectl.kubernetes.io/last-applied-configuration']).toContain('"two"');
    expect(d.metadata?.generation).toBe(2);
    expect(s.api.counters.requests({ verb: 'patch', resource: 'deployments' }).at(-1)?.code).toBe(200);
  });

  it('diffs and dry-runs on the server without changing anything', async () => {
    const before = await s.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'app', namespace: 'default' });
    const diff = await kubectl('diff', '-f', manifest('two', 5)).then(
      (out) => ({ code: 0, out }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(diff.code).toBe(1); // differences found
    expect(diff.out).toMatch(/^-\s+replicas: 1$/m);
    expect(diff.out).toMatch(/^\+\s+replicas: 5$/m);
    expect(await kubectl('scale', 'deployment/app', '--replicas=7', '--dry-run=server')).toContain('scaled (server dry run)');
    expect(await kubectl('delete', 'deployment/app', '--dry-run=server')).toContain('deleted (server dry run)');
    const after = await s.kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: 'app', namespace: 'default' });
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(after.spec?.replicas).toBe(1);
  });

  it('answers kubectl auth can-i and whoami as for a cluster-admin', async () => {
    expect((await kubectl('auth', 'can-i', 'delete', 'pods')).trim()).toBe('yes');
    expect(await kubectl('auth', 'whoami')).toMatch(/Username\s+sandbox-admin/);
  });

  it('deletes and waits for the object to go', async () => {
    expect(await kubectl('delete', 'deployment/app', '--wait=true', '--timeout=10s')).toContain('deployment.apps "app" deleted');
    expect(s.store.get('apps/deployments', 'default', 'app')).toBeUndefined();
  });
});
