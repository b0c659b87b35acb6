/**
 * One cairn (createCairn, its real server on port 0) on the two sandbox clusters of the end-to-end tests, for the
 * observability tests: operations go over HTTP through the whole server (token gate, limits, plugins).
 */
import { pino } from 'pino';
import { createCairn, type Cairn as App } from '../../src/app.js';
import type { Observability } from '../../src/observability/observability.js';
import { bearer, namedAdminSecret, namedAdminToken } from '../helpers/auth.js';
import { alwaysReachable, testConfig } from '../helpers/cairn.js';
import type { Cairn } from '../e2e/harness.js';
import { realCluster } from '../e2e/clusters.js';
import { startSandboxes, type Sandboxes } from '../e2e/harness.js';
import { createApp, createOrder, readOrder, setDraft } from '../e2e/operations.js';
import { localIdOrNull } from '../../src/domain/global-ids.js';

export interface ReleaseCairn {
  app: App;
  sandboxes: Sandboxes;
  /** The server's origin (http://127.0.0.1:port). */
  origin: string;
  /** What the end-to-end operations need (gql over HTTP as the admin token `e2e-admin`). */
  client: Cairn;
  stop(): Promise<void>;
}

export async function startReleaseCairn(observability: Observability, metricsToken?: string): Promise<ReleaseCairn> {
  const sandboxes = await startSandboxes();
  const app = await createCairn(testConfig({ logLevel: 'silent', releaseResyncIntervalMs: 1_000, releaseBatchDeadlineMs: 30_000, rateLimitPerMinute: 100_000, ...(metricsToken ? { metricsToken } : {}) }), {
    logger: pino({ level: 'silent' }),
    kubeconfig: { documents: sandboxes.clusters.map((c) => ({ text: c.kubeconfig, origin: c.name, sandbox: !realCluster() })) },
    observability,
    testing: { check: alwaysReachable, retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 200 }, bootstrapAdminToken: false },
  });
  const { port } = await app.start();
  const origin = `http://127.0.0.1:${port}`;
  // The header of an admin token named `name` at once; the token is created in the database before the next operation is sent.
  const creating = new Map<string, Promise<string>>();
  const as = (name: string) => {
    if (!creating.has(name)) creating.set(name, namedAdminToken(app.repos, name));
    return bearer(namedAdminSecret(name));
  };
  const client = {
    as,
    async gql(query: string, variables?: Record<string, unknown>, headers = as('e2e-admin')) {
      await Promise.all(creating.values());
      const res = await fetch(`${origin}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: any; errors?: unknown[] };
    },
  } as unknown as Cairn;
  return {
    app,
    sandboxes,
    origin,
    client,
    async stop() {
      await app.stop();
      await sandboxes.stop();
    },
  };
}

/**
 * Creates an app with 2 instances and releases it in 2 batches; resolves with the order's id once it COMPLETED.
 * Reads the order again on each of the engine's events about it (no polling).
 */
export async function releaseOnce(cairn: ReleaseCairn, name: string): Promise<string> {
  const { client, app } = cairn;
  const { envId } = await createApp(client, name, 'STATELESS');
  await setDraft(client, envId, { instances: 2, tag: '1.25', greeting: 'hello', file: 'one' });
  const created = await createOrder(client, { environment: envId, batchCount: 2, pauseMode: 'NONE', description: 'observed' });
  if (created.__typename !== 'ReleaseOrderPayload') throw new Error(`createReleaseOrder: ${JSON.stringify(created)}`);
  const id = created.releaseOrder.id as string;
  const orderId = localIdOrNull(id, 'ReleaseOrder');
  if (orderId === null) throw new Error(`not a release order id: ${id}`);
  let seen = app.orderEvents.sequence(orderId);
  let changed: () => void = () => {};
  const stop = app.orderEvents.listen(orderId, () => changed());
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const next = new Promise<void>((resolve) => {
        changed = resolve;
        if (app.orderEvents.sequence(orderId) !== seen) resolve(); // an event came while the order was read
      });
      seen = app.orderEvents.sequence(orderId);
      const order = await readOrder(client, id);
      if (order.state === 'COMPLETED') return id;
      if (order.state === 'FAILED' || Date.now() > deadline) throw new Error(`release ${id}: ${JSON.stringify(order)}`);
      await within(next, deadline - Date.now(), `release ${id} stayed ${order.state}`);
    }
  } finally {
    stop();
  }
}

/** Resolves with `promise`, or rejects after `ms` (a bound on the wait, not a poll). */
async function within(promise: Promise<void>, ms: number, message: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), Math.max(0, ms))))]);
  } finally {
    clearTimeout(timer);
  }
}

/** The value of one sample in a Prometheus text exposition (0 when absent): `name{a="b",…}` with these labels. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      total += Number(m[3]);
      found = true;
    }
  }
  return found ? total : 0;
}
