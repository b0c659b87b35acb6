import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, Exec, Watch, type V1Status } from '@kubernetes/client-node';
import { pod, startServer, type TestServer } from './helpers.js';
import { FakeKubelet } from './fake-kubelet.js';

const run = promisify(execFile);
const hasKubectl = await run('kubectl', ['version', '--client']).then(
  () => true,
  () => false,
);

let s: TestServer;
let kubeconfigPath: string;
beforeAll(async () => {
  s = await startServer({ tls: true, token: 'secret-token' });
  kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'cairn-tls-')), 'kubeconfig.yaml');
  writeFileSync(kubeconfigPath, s.kubeconfig);
  s.api.registerKubelet('node-1', new FakeKubelet());
});
afterAll(() => s.close());

describe('HTTPS with a bearer token', () => {
  it('serves https with a certificate the kubeconfig trusts (no skip of TLS verification)', async () => {
    expect(s.api.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const cluster = JSON.parse(s.kubeconfig).clusters[0].cluster;
    expect(cluster['insecure-skip-tls-verify']).toBeUndefined();
    expect(Buffer.from(cluster['certificate-authority-data'], 'base64').toString()).toBe(s.api.certificateAuthority);
    const core = s.kc.makeApiClient(CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('default');
  });

  it('streams a watch and an exec over TLS through client-node', async () => {
    const core = s.kc.makeApiClient(CoreV1Api);
    await core.createNamespacedPod({ namespace: 'default', body: pod('tls-pod', { spec: { nodeName: 'node-1' } }) as never });
    let added!: (name: string) => void;
    const firstAdded = new Promise<string>((resolve) => (added = resolve));
    const controller = await new Watch(s.kc).watch('/api/v1/namespaces/default/pods', {}, (type, obj) => type === 'ADDED' && added(obj.metadata.name), () => undefined);
    expect(await firstAdded).toBe('tls-pod');
    controller.abort();
    let out = '';
    const stdout = new Writable({
      write(chunk, _e, cb) {
        out += chunk.toString();
        cb();
      },
    });
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(s.kc).exec('default', 'tls-pod', 'app', ['echo', 'over', 'tls'], stdout, null, null, false, resolve).catch(reject);
    });
    expect(status.status).toBe('Success');
    expect(out).toBe('over tls\n');
  });

  it.skipIf(!hasKubectl)('lets kubectl in with the token, and refuses it without', async () => {
    const ns = await run('kubectl', ['--kubeconfig', kubeconfigPath, 'get', 'ns', 'default', '-o', 'name']);
    expect(ns.stdout.trim()).toBe('namespace/default');
    const denied = await run('kubectl', ['--kubeconfig', kubeconfigPath, '--token', 'wrong', 'get', 'ns']).then(
      () => '',
      (e: { stderr: string }) => e.stderr,
    );
    expect(denied).toContain('You must be logged in to the server');
  });
});
