/**
 * cairn as a process, with a cluster that accepts requests and never answers: SIGTERM cancels the
 * hung requests and cairn stops gracefully (exit 0, "bye"), instead of waiting for them until the
 * hard exit.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { createApp, setDraft } from '../e2e/operations.js';
import type { Cairn } from '../e2e/harness.js';
import { type FakeApiServer, kubeconfigText, startFakeApiServer } from '../kube/fake-api-server.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TOKEN = 'hung-cluster-token-5eed';

let child: ChildProcess | undefined;
let api: FakeApiServer | undefined;
afterEach(async () => {
  if (child?.pid && child.exitCode === null) child.kill('SIGKILL');
  await api?.stop();
});

function startCairn(env: Record<string, string>) {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', CAIRN_PORT: '0', CAIRN_LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      lines.push({ msg: line });
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const waitFor = async (match: (line: Record<string, unknown>) => boolean) => {
    for (;;) {
      const found = lines.find(match);
      if (found) return found;
      if (proc.exitCode !== null) throw new Error(`cairn exited (${proc.exitCode}) before the expected log line`);
      await Promise.race([new Promise<void>((wake) => waiters.push(wake)), exited]);
    }
  };
  return { proc, lines, waitFor, exited };
}

it('SIGTERM while the release engine waits on a request the cluster never answers: cairn cancels it and exits 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cairn-hung-'));
  api = await startFakeApiServer(TOKEN);
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigText(['e2e-production', 'e2e-test'].map((name) => ({ name, server: api!.url, token: TOKEN }))));
  // A request timeout longer than the test: only the shutdown can end the hung request.
  const cairn = startCairn({ HOME: dir, CAIRN_DATABASE: join(dir, 'cairn.db'), CAIRN_KUBECONFIG: kubeconfig, CAIRN_KUBE_REQUEST_TIMEOUT_MS: '600000', CAIRN_KUBE_LIST_TIMEOUT_MS: '600000' });
  child = cairn.proc;
  const port = (await cairn.waitFor((l) => l.msg === 'listening')).port as number;
  await cairn.waitFor((l) => l.msg === 'ready');
  const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  };
  const shim = { gql } as unknown as Cairn;
  const { envId } = await createApp(shim, 'stuck', 'STATELESS');
  await setDraft(shim, envId, { instances: 2, tag: '1.25', greeting: 'a', file: 'a' });

  api.hang = true; // from now on the cluster accepts every request and never answers
  const sentBefore = api.requests.length;
  // The engine's first request for the order: its caches' list of pods (across namespaces), or a write in the app's namespace.
  const hung = api.received((r) => api!.requests.indexOf(r) >= sentBefore && (r.includes('/namespaces/cairn-stuck/') || /\/api\/v1\/pods\b/.test(r)));
  const order = gql(`mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename } }`, {
    input: { environment: envId, batchCount: 1, pauseMode: 'NONE' },
  }).catch(() => null);
  await hung;

  cairn.proc.kill('SIGTERM');
  const [code] = await cairn.exited;
  expect(code).toBe(0);
  const messages = cairn.lines.map((l) => l.msg);
  expect(messages).toContain('bye');
  expect(messages).not.toContain('shutdown took too long: exiting');
  await order;
});
