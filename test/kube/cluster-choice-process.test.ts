/**
 * cairn as a process (src/main.ts) choosing its clusters: outside a pod with nothing configured, the
 * in-process sandbox — said at warn level, with its kubeconfig written (0600) next to the database
 * for the real kubectl; in a pod with its service account, the cluster it runs in; in a pod with
 * no cluster at all, one JSON line and exit code 1, never a silent sandbox.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startSandboxCluster } from '../../src/sandbox/cluster.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
type LogLine = Record<string, unknown> & { msg?: string };
const isWarn = (l: LogLine) => l.level === 40 || l.level === 'warn';

let child: ChildProcess | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  child = undefined;
  for (const c of cleanups.splice(0)) await c();
});

function startMain(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', CAIRN_PORT: '0', CAIRN_SANDBOX_SPEED: '20', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  const lines: LogLine[] = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as LogLine);
    } catch {
      lines.push({ msg: line });
    }
    for (const wake of waiters.splice(0)) wake();
  });
  let stderr = '';
  proc.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = once(proc, 'exit') as Promise<[number | null]>;
  const waitFor = async (match: (line: LogLine) => boolean): Promise<LogLine> => {
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (proc.exitCode !== null) throw new Error(`cairn exited (${proc.exitCode}) before the expected log line; stderr: ${stderr}`);
      await Promise.race([new Promise<void>((wake) => waiters.push(wake)), exited]);
    }
  };
  return { lines, waitFor, exited, stderr: () => stderr };
}

const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

describe('the clusters cairn chooses, as a process', () => {
  it('outside a pod with nothing configured: sandbox clusters, said at warn level; their kubeconfig (0600) next to the database works with kubectl', async () => {
    const dir = tempDir('cairn-choice-');
    const cairn = startMain({ HOME: dir, CAIRN_DATABASE: join(dir, 'data', 'cairn.db') });
    const ready = await cairn.waitFor((l) => l.msg === 'ready');
    expect((ready.clusters as Array<{ name: string; sandbox: boolean }>).map((c) => [c.name, c.sandbox])).toEqual([
      ['sandbox-production', true],
      ['sandbox-test', true],
    ]);
    expect(cairn.lines.find((l) => l.msg === 'running sandbox clusters in-process')).toSatisfy(isWarn);
    const written = cairn.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith("the sandbox clusters' kubeconfig"));
    const file = join(dir, 'data', 'sandbox-kubeconfig.yaml');
    expect(written).toMatchObject({ file, try: `kubectl --kubeconfig ${file} get pods -A` });
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The real kubectl, with the file as the log line says (a token over HTTPS, the sandbox's CA trusted).
    const pods = await run('kubectl', ['--kubeconfig', file, 'get', 'pods', '-A', '-o', 'json'], { timeout: 30_000 });
    expect(JSON.parse(pods.stdout)).toMatchObject({ kind: 'List', items: expect.any(Array) });
    const nodes = await run('kubectl', ['--kubeconfig', file, '--context', 'sandbox-test', 'get', 'nodes', '-o', 'name'], { timeout: 30_000 });
    expect(nodes.stdout).toMatch(/^node\//m);
  });

  it('in a pod with its service account: the cluster it runs in, under the configured name', async () => {
    const token = 'in-pod-service-account-token';
    const cluster = await startSandboxCluster({ name: 'home', token, tls: true, nodeAgent: false, controllers: false });
    cleanups.push(() => cluster.stop());
    const sa = tempDir('cairn-sa-');
    writeFileSync(join(sa, 'token'), token);
    writeFileSync(join(sa, 'ca.crt'), cluster.certificateAuthority!);
    const url = new URL(cluster.url);
    const dir = tempDir('cairn-choice-');
    const cairn = startMain({
      HOME: dir,
      CAIRN_DATABASE: join(dir, 'cairn.db'),
      KUBERNETES_SERVICE_HOST: url.hostname,
      KUBERNETES_SERVICE_PORT: url.port,
      CAIRN_SERVICE_ACCOUNT_DIR: sa,
      CAIRN_IN_CLUSTER_NAME: 'home-cluster',
    });
    const ready = await cairn.waitFor((l) => l.msg === 'ready');
    expect(ready.clusters).toEqual([{ name: 'home-cluster', server: cluster.url, reachable: true, sandbox: false }]);
    expect(cairn.lines.find((l) => l.msg === 'clusters chosen')).toMatchObject({ inCluster: 'home-cluster', reason: `clusters from the service account in ${sa}` });
    expect(cairn.lines.some((l) => l.msg === 'running sandbox clusters in-process')).toBe(false);
    expect(JSON.stringify(cairn.lines)).not.toContain(token);
  });

  it('in a pod with no service account and no kubeconfig: one JSON line naming the cause, exit code 1', async () => {
    const dir = tempDir('cairn-choice-');
    const cairn = startMain({ HOME: dir, CAIRN_DATABASE: join(dir, 'cairn.db'), KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', CAIRN_SERVICE_ACCOUNT_DIR: join(dir, 'none') });
    const [code] = await cairn.exited;
    expect(code).toBe(1);
    const lines = cairn.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 60, msg: expect.stringContaining(`cairn runs in a pod (KUBERNETES_SERVICE_HOST is set) but has no cluster: no service account token in ${join(dir, 'none')}`) });
    expect(cairn.lines.some((l) => l.msg === 'running sandbox clusters in-process')).toBe(false);
  });
});
