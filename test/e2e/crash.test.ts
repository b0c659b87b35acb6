/**
 * Crash safety: cairn runs as a child process (`node --import tsx src/main.ts`) against sandbox
 * clusters of the test process, and is killed with SIGKILL at several points of a release; a new
 * process on the same database finishes the order, each batch applied once and none skipped.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkloads } from '../../src/kube/workloads.js';
import type { EnvironmentTarget } from '../../src/kube/workloads-types.js';
import { startSandboxes, tempDatabase, until, type Cairn, type Sandboxes } from './harness.js';
import { createApp, createOrder, orderAction, readOrder, setDraft } from './operations.js';

const ROOT = resolve(import.meta.dirname, '../..');

let sandboxes: Sandboxes;
let db: ReturnType<typeof tempDatabase>;
let kubeconfig: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  sandboxes = await startSandboxes();
  db = tempDatabase();
  const dir = resolve(db.path, '..');
  kubeconfig = sandboxes.clusters
    .map((c) => {
      const file = join(dir, `${c.name}.kubeconfig`);
      writeFileSync(file, c.kubeconfig);
      return file;
    })
    .join(delimiter);
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sandboxes?.stop();
  db?.remove();
});

/** Starts cairn as a process; resolves once it is ready, with a GraphQL client for its port. */
async function startProcess(): Promise<{ child: ChildProcess; gql: Cairn['gql']; kill(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      CAIRN_PORT: '0',
      CAIRN_DATABASE: db.path,
      CAIRN_KUBECONFIG: kubeconfig,
      CAIRN_LOG_LEVEL: 'info',
      CAIRN_RELEASE_RESYNC_INTERVAL_MS: '300',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (c) => (stderr += String(c)));
  const port = await new Promise<number>((done, fail) => {
    let port = 0;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const l = JSON.parse(line) as { msg?: string; port?: number };
        if (l.msg === 'listening') port = l.port ?? 0;
        if (l.msg === 'ready') done(port);
      } catch {
        // not JSON
      }
    });
    child.once('exit', (code) => fail(new Error(`cairn exited (${code}) before it was ready: ${stderr}`)));
  });
  const gql: Cairn['gql'] = async (query, variables, headers = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as { data?: any; errors?: unknown[] };
  };
  return {
    child,
    gql,
    async kill() {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      children.delete(child);
    },
  };
}

describe('crash safety (SIGKILL)', () => {
  it('an order survives kills after submission and inside batches 2 and 3; the history shows each batch once, in order', async () => {
    let proc = await startProcess();
    const api = () => ({ gql: proc.gql }) as unknown as Cairn;
    const stateIs = (id: string, state: string, batchesDone?: number) => async () => {
      const o = await readOrder(api(), id);
      return o.state === state && (batchesDone === undefined || o.batchesDone === batchesDone) ? o : undefined;
    };
    const { envId } = await createApp(api(), 'sturdy', 'STATELESS');
    await setDraft(api(), envId, { instances: 4, tag: '1.25', greeting: 'one', file: 'one' });
    const first = (await createOrder(api(), { environment: envId, batchCount: 2, pauseMode: 'NONE' })).releaseOrder;
    await until('first release', stateIs(first.id, 'COMPLETED'), 30_000);

    await setDraft(api(), envId, { instances: 4, tag: '1.27', greeting: 'two', file: 'two' });
    const id = (await createOrder(api(), { environment: envId, batchCount: 4, pauseMode: 'EVERY_BATCH' })).releaseOrder.id;
    await proc.kill(); // right after the submission

    for (let batch = 1; batch <= 2; batch++) {
      proc = await startProcess();
      await until(`pause after batch ${batch}`, stateIs(id, 'PAUSED', batch), 30_000);
      await orderAction(api(), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
      await new Promise((r) => setTimeout(r, [20, 100][batch - 1])); // somewhere inside the next batch
      await proc.kill();
    }
    proc = await startProcess();
    await until('pause after batch 3', stateIs(id, 'PAUSED', 3), 30_000);
    await orderAction(api(), 'resumeReleaseOrder', 'ResumeReleaseOrderInput', { id });
    const done = await until('COMPLETED', stateIs(id, 'COMPLETED'), 30_000);
    const engine = done.transitions.filter((t: { actor: string }) => t.actor === 'cairn').map((t: { reason: string }) => t.reason.split(':')[0]);
    expect(engine).toEqual(['batch 1 of 4 done', 'batch 2 of 4 done', 'batch 3 of 4 done', 'batch 4 of 4 done']);
    expect(done.transitions.filter((t: { to: string }) => t.to === 'DEPLOYING')).toHaveLength(4); // submitted + 3 resumes

    const kube = createWorkloads((name) => sandboxes.kubeConfig(name));
    const target: EnvironmentTarget = { cluster: 'e2e-production', namespace: 'cairn-sturdy', appName: 'sturdy', appType: 'STATELESS', environmentKind: 'PRODUCTION' };
    const o = await until('only the new revision', async () => {
      const r = await kube.observeEnvironment(target);
      return r.ok && r.value.instances.every((p) => p.terminating || p.revision === 2) ? r.value : undefined;
    });
    expect(o.revisions.map((r) => [r.number, r.desired])).toEqual([
      [1, 0],
      [2, 4],
    ]);
    await proc.kill();
  }, 120_000);
});
