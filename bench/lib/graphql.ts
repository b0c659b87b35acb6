/** The benches' GraphQL client (the admin token) and the few operations they seed with. */
import { performance } from 'node:perf_hooks';

export interface Api {
  url: string;
  token: string;
}

export async function gql<T = any>(api: Api, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (res.status !== 200 || body.errors || !body.data) throw new Error(`GraphQL ${res.status}: ${JSON.stringify(body).slice(0, 800)}`);
  return body.data;
}

/** Runs `fn` on every item, `lanes` at a time. */
export async function inLanes<T, R>(items: readonly T[], lanes: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return out;
}

export interface SeededApp {
  name: string;
  /** The PRODUCTION environment, where the benches release. */
  environmentId: string;
  namespace: string;
}

const ERRORS = '... on Error { __typename message }';

/**
 * Creates an app (NGINX, stateless) on the two bench clusters and sets its production draft:
 * `instances`, port 80, a readiness probe on / after 1 s (every 2 s), no liveness probe, no files.
 */
export async function seedApp(api: Api, name: string, clusters: { production: string; test: string }, instances: number): Promise<SeededApp> {
  const created = await gql(
    api,
    `mutation ($input: CreateAppInput!) { createApp(input: $input) { __typename ... on CreateAppPayload { app { environments { id kind namespace config { version } } } } ${ERRORS} } }`,
    { input: { name, businessType: 'ERP', productionCluster: clusters.production, testCluster: clusters.test, officialImage: 'NGINX' } },
  );
  const env = created.createApp.app?.environments.find((e: { kind: string }) => e.kind === 'PRODUCTION');
  if (!env) throw new Error(`createApp ${name}: ${JSON.stringify(created)}`);
  const probe = { http: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
  const config = {
    officialImage: 'NGINX',
    imageTag: 'latest',
    instances,
    ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
    env: [],
    fileMounts: [],
    readinessProbe: probe,
    livenessProbe: null,
    terminationGracePeriodSeconds: 1,
  };
  const updated = await gql(
    api,
    `mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename ${ERRORS} ... on InvalidInputError { problems { path message } } } }`,
    { input: { environment: env.id, version: env.config.version, config } },
  );
  if (updated.updateDeploymentConfig.__typename !== 'UpdateDeploymentConfigPayload') throw new Error(`updateDeploymentConfig ${name}: ${JSON.stringify(updated)}`);
  return { name, environmentId: env.id, namespace: env.namespace };
}

export interface Submitted {
  orderId: string;
  /** performance.now() just before the mutation was sent. */
  sentAt: number;
  /** performance.now() when its answer was read. */
  answeredAt: number;
}

/** Submits a release order of the environment's draft (pause mode NONE). */
/** `restart`: release the draft again though it is what runs (every instance replaced, batch by batch). */
export async function submitRelease(api: Api, environmentId: string, batchCount: number, restart = false): Promise<Submitted> {
  const sentAt = performance.now();
  const data = await gql(
    api,
    `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { id } } ${ERRORS} } }`,
    { input: { environment: environmentId, batchCount, pauseMode: 'NONE', ...(restart ? { restart: true } : {}) } },
  );
  const id = data.createReleaseOrder.releaseOrder?.id;
  if (!id) throw new Error(`createReleaseOrder: ${JSON.stringify(data)}`);
  return { orderId: id, sentAt, answeredAt: performance.now() };
}

/**
 * A read sent again (twice at most) when its connection was closed under it: a poll on a kept-alive
 * socket can meet the server closing that socket for idleness at the same moment (the client then
 * sees "other side closed" / ECONNRESET). Only for reads: they are safe to send twice.
 */
async function readAgain<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (attempt >= 3 || (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET')) throw error;
    }
  }
}

/** The orders' states (nodes(ids:), 100 at a time). */
export async function orderStates(api: Api, ids: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 100) {
    const data = await readAgain(() => gql(api, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on ReleaseOrder { state } } }', { ids: ids.slice(i, i + 100) }));
    for (const node of data.nodes) if (node) out.set(node.id, node.state);
  }
  return out;
}

const ACTIVE = new Set(['DEPLOYING', 'PAUSED', 'ROLLING_BACK']);

/** Polls (every `everyMs`) until no order is active; resolves with the count of each final state. */
export async function ordersSettled(api: Api, ids: readonly string[], timeoutMs: number, everyMs = 1000): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await orderStates(api, ids);
    const active = [...states.values()].filter((s) => ACTIVE.has(s)).length;
    if (active === 0) {
      const counts: Record<string, number> = {};
      for (const s of states.values()) counts[s] = (counts[s] ?? 0) + 1;
      return counts;
    }
    if (Date.now() > deadline) throw new Error(`${active} of ${ids.length} orders still active after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
