/**
 * The cluster cairn runs in, through its service account directory (token, ca.crt) and
 * KUBERNETES_SERVICE_HOST/_PORT: requests carry the CURRENT token — a rotated file is used at the
 * next request, without a restart — over TLS verified with the mounted CA.
 */
import { copyFileSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VersionApi } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialStrings } from '../../src/kube/credentials.js';
import { inClusterKubeconfig } from '../../src/kube/in-cluster.js';
import { parseKubeconfig } from '../../src/kube/kubeconfig.js';
import { createClusterRegistry, type LoadableClusterRegistry } from '../../src/kube/registry.js';
import { selfSignedCertificate } from '../../src/sandbox/apiserver/certificate.js';
import { alwaysReachable } from '../helpers/cairn.js';

let server: Server;
let port: number;
let dir: string;
/** The Authorization header of every request, in order. */
const seen: string[] = [];

beforeAll(async () => {
  const cert = selfSignedCertificate('in-cluster-test');
  server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => {
    seen.push(req.headers.authorization ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ major: '1', minor: '20', gitVersion: 'v1.20.2' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  dir = mkdtempSync(join(tmpdir(), 'cairn-sa-'));
  writeFileSync(join(dir, 'ca.crt'), cert.cert);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

function inCluster(saDir: string, name = 'in-cluster'): LoadableClusterRegistry {
  const registry = createClusterRegistry({ logger: pino({ level: 'silent' }), check: alwaysReachable, checkIntervalMs: 60_000 });
  registry.load([inClusterKubeconfig({ name, host: '127.0.0.1', port: String(port), dir: saDir })]);
  return registry;
}
const version = async (registry: LoadableClusterRegistry, name = 'in-cluster') => (await registry.kubeConfig(name).makeApiClient(VersionApi).getCode()).gitVersion;
const lastSeen = () => seen.at(-1);

describe('the in-cluster service account', () => {
  it('is a cluster named as configured, at https://KUBERNETES_SERVICE_HOST:PORT, trusting ca.crt', async () => {
    writeFileSync(join(dir, 'token'), 'token-one\n');
    const registry = inCluster(dir, 'home');
    expect(registry.list()).toMatchObject([{ name: 'home', server: `https://127.0.0.1:${port}`, sandbox: false }]);
    expect(await version(registry, 'home')).toBe('v1.20.2'); // TLS verified against the mounted CA
    expect(lastSeen()).toBe('Bearer token-one');
  });

  it('sends a rotated token at the next request: a file replaced, rewritten in place, or the kubelet\'s symlink swap', async () => {
    writeFileSync(join(dir, 'token'), 'token-one');
    const registry = inCluster(dir);
    await version(registry);
    expect(lastSeen()).toBe('Bearer token-one');

    // Replaced by a rename (atomic).
    writeFileSync(join(dir, 'token.new'), 'token-two');
    renameSync(join(dir, 'token.new'), join(dir, 'token'));
    await version(registry);
    expect(lastSeen()).toBe('Bearer token-two');

    // Rewritten in place, same length.
    writeFileSync(join(dir, 'token'), 'token-3rd');
    await version(registry);
    expect(lastSeen()).toBe('Bearer token-3rd');

    // The kubelet's way: token -> ..data/token, ..data a symlink to a fresh directory swapped atomically.
    const kubelet = mkdtempSync(join(tmpdir(), 'cairn-sa-kubelet-'));
    const generation = (n: number, token: string) => {
      const real = mkdtempSync(join(kubelet, `..${n}_`));
      writeFileSync(join(real, 'token'), token);
      symlinkSync(real, join(kubelet, '..data_tmp'));
      renameSync(join(kubelet, '..data_tmp'), join(kubelet, '..data'));
    };
    generation(1, 'kubelet-one');
    symlinkSync(join(kubelet, '..data', 'token'), join(kubelet, 'token'));
    copyFileSync(join(dir, 'ca.crt'), join(kubelet, 'ca.crt'));
    const mounted = inCluster(kubelet);
    await version(mounted);
    expect(lastSeen()).toBe('Bearer kubelet-one');
    generation(2, 'kubelet-two');
    await version(mounted);
    expect(lastSeen()).toBe('Bearer kubelet-two');
    rmSync(kubelet, { recursive: true, force: true });
  });

  it('streams (watch, log, exec) get the current token too', async () => {
    writeFileSync(join(dir, 'token'), 'stream-one');
    const kc = inCluster(dir).kubeConfig('in-cluster');
    const options = async () => {
      const opts: { headers?: Record<string, string> } = {};
      await kc.applyToHTTPSOptions(opts as never);
      return opts.headers?.Authorization;
    };
    expect(await options()).toBe('Bearer stream-one');
    writeFileSync(join(dir, 'token.new'), 'stream-two');
    renameSync(join(dir, 'token.new'), join(dir, 'token'));
    expect(await options()).toBe('Bearer stream-two');
  });

  it('keeps the last token while the file is missing for a moment; without any token, the request fails naming the file', async () => {
    writeFileSync(join(dir, 'token'), 'kept-token');
    const registry = inCluster(dir);
    await version(registry);
    unlinkSync(join(dir, 'token'));
    await version(registry);
    expect(lastSeen()).toBe('Bearer kept-token');

    const empty = mkdtempSync(join(tmpdir(), 'cairn-sa-empty-'));
    await expect(version(inCluster(empty))).rejects.toThrow(`cannot read the service account token file ${join(empty, 'token')} (ENOENT)`);
    rmSync(empty, { recursive: true, force: true });
  });

  it('names no token in its kubeconfig document (paths only)', () => {
    writeFileSync(join(dir, 'token'), 'never-in-the-document');
    const source = inClusterKubeconfig({ name: 'in-cluster', host: 'fd00::1', port: '443', dir });
    expect(source.text).not.toContain('never-in-the-document');
    expect(JSON.parse(source.text).clusters[0].cluster.server).toBe('https://[fd00::1]:443');
    // Its only "credential" is the token file's path, which errors may name as it is.
    expect(credentialStrings(parseKubeconfig(source))).toEqual([]);
  });
});

describe('a kubeconfig from elsewhere naming the token-file auth provider', () => {
  it('gets no token from a file: cairn never sends a local file to a server another kubeconfig names', async () => {
    writeFileSync(join(dir, 'token'), 'a-local-secret\n');
    const borrowed = inClusterKubeconfig({ name: 'borrowed', host: '127.0.0.1', port: String(port), dir });
    const registry = createClusterRegistry({ logger: pino({ level: 'silent' }), check: alwaysReachable, checkIntervalMs: 60_000 });
    // The same document, but given as a kubeconfig file would be (not built by cairn for its own pod).
    registry.load([{ text: borrowed.text, origin: '/etc/cairn/kubeconfig/remote', sandbox: false }]);
    await version(registry, 'borrowed').catch(() => undefined);
    expect(seen.filter((h) => h.includes('a-local-secret'))).toEqual([]);
  });
});

describe('the allow-list (CAIRN_CLUSTERS)', () => {
  it('loads only the allowed contexts', () => {
    writeFileSync(join(dir, 'token'), 'allow-token');
    const registry = createClusterRegistry({ logger: pino({ level: 'silent' }), check: alwaysReachable, checkIntervalMs: 60_000, allow: ['second'] });
    registry.load([
      inClusterKubeconfig({ name: 'first', host: '127.0.0.1', port: String(port), dir }),
      inClusterKubeconfig({ name: 'second', host: '127.0.0.1', port: String(port), dir }),
    ]);
    expect(registry.list().map((c) => c.name)).toEqual(['second']);
    expect(() => registry.kubeConfig('first')).toThrow('unknown cluster: first');
  });
});
