/**
 * The proof: a realistic flow — cairn as a process over a database FILE, two sandbox
 * clusters reached over HTTP, an app with secret env vars, a template, a preview, a release run to
 * completion, every query — then a grep of the database file (and its WAL), every log line and
 * every API response finds no secret value, neither in plain text nor in base64. The release still
 * works: the Kubernetes Secret holds the values (base64, as Kubernetes stores them) and `env` in the
 * running instance shows them — which is the point of a secret.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js';

const ROOT = resolve(import.meta.dirname, '../..');
const PRODUCTION = 'secrets-production';
const TEST = 'secrets-test';
const nonce = randomBytes(6).toString('hex');
/** The secret values of the flow: distinctive, so that any hit is a real leak. */
const SECRETS = {
  dbPassword: `S3CR3T-db-${nonce}`,
  apiToken: `S3CR3T-api-${nonce}`,
  rotated: `S3CR3T-rotated-${nonce}`,
  rejected: `S3CR3T-rejected-${nonce}`,
  echoed: `S3CR3T-echoed-${nonce}`,
};
/** How a value may show up: as itself, or base64'd (as a Kubernetes Secret holds it). */
const forms = (value: string) => [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url')];

const ERR = '... on Error { __typename message code }';
const ERRORS = `${ERR} ... on InvalidInputError { problems { path code message } }`;
const ENV = 'env { name value secret hasValue }';

let dir: string;
let clusters: SandboxCluster[] = [];
let child: ChildProcess | undefined;
let exited: Promise<unknown>;
let logText = '';
let port = 0;
let adminToken = '';
/** Every response body cairn sent in this test (except the `env` output of the instance, kept apart). */
const responses: string[] = [];

async function gql(query: string, variables: Record<string, unknown> = {}, keep = true): Promise<any> {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  if (keep) responses.push(text);
  const body = JSON.parse(text) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(`GraphQL errors: ${text}`);
  return body.data;
}

/** Follows a release order over server-sent events until it is COMPLETED (every event kept as a response). */
async function untilCompleted(orderId: string): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 60_000);
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ query: 'subscription ($id: ID!) { releaseOrderUpdated(id: $id) { sequence releaseOrder { id state } } }', variables: { id: orderId } }),
    signal: abort.signal,
  });
  let seen = '';
  try {
    for await (const chunk of res.body!.pipeThrough(new TextDecoderStream()) as unknown as AsyncIterable<string>) {
      seen += chunk;
      if (seen.includes('"state":"COMPLETED"')) break;
      if (/"state":"(FAILED|CLOSED)"/.test(seen)) throw new Error(`the release did not complete: ${seen}`);
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
    responses.push(seen);
  }
  expect(seen).toContain('"state":"COMPLETED"');
}

/** The database file and its WAL, as bytes read as text. */
const databaseBytes = () =>
  ['cairn.db', 'cairn.db-wal', 'cairn.db-shm']
    .map((f) => join(dir, f))
    .filter(existsSync)
    .map((p) => readFileSync(p).toString('latin1'))
    .join('\n');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-no-plaintext-'));
  clusters = await Promise.all([PRODUCTION, TEST].map((name) => startSandboxCluster({ name, speed: 50, token: randomBytes(16).toString('hex') })));
  const kubeconfigs = clusters.map((c) => {
    const file = join(dir, `${c.name}.kubeconfig`);
    writeFileSync(file, c.kubeconfig);
    return file;
  });
  child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      CAIRN_PORT: '0',
      CAIRN_LOG_LEVEL: 'trace',
      CAIRN_DATABASE: join(dir, 'cairn.db'),
      CAIRN_KUBECONFIG: kubeconfigs.join(delimiter),
      CAIRN_RELEASE_RESYNC_INTERVAL_MS: '500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  exited = once(child, 'exit');
  child.stderr!.on('data', (chunk) => (logText += String(chunk)));
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((ready, fail) => {
    child!.once('exit', (code) => fail(new Error(`cairn exited (${code}) before it was ready: ${logText}`)));
    lines.on('line', (line) => {
      logText += `${line}\n`;
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'listening') port = entry.port!;
      if (entry.msg === 'ready') ready();
    });
  });
  adminToken = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
}, 60_000);

afterAll(async () => {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all(clusters.map((c) => c.stop()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('no secret value in plain text anywhere', () => {
  it('runs the whole flow; the database file, the logs and every response hold no secret; the release and the instance have them', async () => {
    // An app, its production draft with two secrets and a plain variable.
    const created = await gql(
      `mutation ($input: CreateAppInput!) { createApp(input: $input) { __typename ... on CreateAppPayload { app { id name environments { id kind namespace config { version } } } } ${ERR} } }`,
      { input: { name: `shop-${nonce}`, businessType: 'ERP', appType: 'STATELESS', productionCluster: PRODUCTION, testCluster: TEST, officialImage: 'NGINX' } },
    );
    const app = created.createApp.app;
    const production = app.environments.find((e: { kind: string }) => e.kind === 'PRODUCTION');
    const testEnv = app.environments.find((e: { kind: string }) => e.kind === 'TEST');
    const probe = { http: { path: '/', port: 80, scheme: 'HTTP' }, initialDelaySeconds: 1, periodSeconds: 1, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 };
    const config = {
      officialImage: 'NGINX',
      instances: 2,
      ports: [{ containerPort: 80, protocol: 'TCP', name: 'http' }],
      env: [
        { name: 'DB_PASSWORD', value: SECRETS.dbPassword, secret: true },
        { name: 'API_TOKEN', value: SECRETS.apiToken, secret: true },
        { name: 'GREETING', value: `hello-${nonce}`, secret: false },
      ],
      readinessProbe: probe,
      terminationGracePeriodSeconds: 1,
    };
    const UPDATE = `mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename ... on UpdateDeploymentConfigPayload { config { version imageTag ${ENV} } warnings { path code message } } ${ERRORS} } }`;
    const updated = (await gql(UPDATE, { input: { environment: production.id, version: production.config.version, config } })).updateDeploymentConfig;
    expect(updated.__typename).toBe('UpdateDeploymentConfigPayload');
    expect(updated.config.env).toEqual([
      { name: 'DB_PASSWORD', value: null, secret: true, hasValue: true },
      { name: 'API_TOKEN', value: null, secret: true, hasValue: true },
      { name: 'GREETING', value: `hello-${nonce}`, secret: false, hasValue: true },
    ]);
    // Bad input that carries a secret: the error names the problem, not the value; nothing is written.
    const rejected = (
      await gql(UPDATE, {
        input: { environment: production.id, version: updated.config.version, config: { ...config, env: [...config.env, { name: 'EXTRA', value: SECRETS.rejected, secret: true }], instances: 0 } },
      })
    ).updateDeploymentConfig;
    expect(rejected.__typename).toBe('InvalidInputError');
    // A misshapen input that carries a secret: the error gives the path and the reason, never the value.
    const misshapen = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query: UPDATE, variables: { input: { environment: production.id, version: 2, config: { env: [{ name: 'X', value: SECRETS.echoed, secret: true, bogus: 1 }] } } } }),
    });
    const misshapenText = await misshapen.text();
    responses.push(misshapenText);
    expect(JSON.parse(misshapenText).errors[0].message).toContain('got an invalid value at "input.config.env[0]"');
    const tagged = await gql(`mutation ($input: SetImageTagInput!) { setImageTag(input: $input) { __typename ... on SetImageTagPayload { config { version } } ${ERR} } }`, {
      input: { environment: production.id, imageTag: '1.25' },
    });
    expect(tagged.setImageTag.__typename).toBe('SetImageTagPayload');

    // Read it back, preview the release, save it as a template and load that into the test environment.
    const read = await gql(`query ($id: ID!) { node(id: $id) { ... on Environment { config { version imageTag ${ENV} } } } }`, { id: production.id });
    expect(read.node.config.env.filter((e: { secret: boolean }) => e.secret).map((e: { value: unknown }) => e.value)).toEqual([null, null]);
    const preview = await gql(
      `query ($env: ID!) { previewRelease(environment: $env, batchCount: 1) { __typename ... on ReleasePreview { imageReference batchSizes changes { path before after secret } warnings { path code message } problems { path code message } } ${ERR} } }`,
      { env: production.id },
    );
    const secretChanges = preview.previewRelease.changes.filter((c: { secret: boolean }) => c.secret);
    expect(secretChanges.length).toBeGreaterThan(0);
    for (const change of secretChanges) expect(change.after).not.toBeNull();
    const saved = await gql(`mutation ($input: SaveTemplateInput!) { saveTemplate(input: $input) { __typename ... on SaveTemplatePayload { template { id name ${ENV} } } ${ERR} } }`, {
      input: { environment: production.id, name: `with-secrets-${nonce}` },
    });
    const template = saved.saveTemplate.template;
    expect(template.env.filter((e: { hasValue: boolean; value: unknown }) => e.hasValue && e.value === null)).toHaveLength(2);
    await gql(`query { templates(first: 50) { edges { node { id name ${ENV} } } } }`);
    const applied = await gql(
      `mutation ($input: ApplyTemplateInput!) { applyTemplate(input: $input) { __typename ... on ApplyTemplatePayload { config { version ${ENV} } warnings { path code message } } ${ERR} } }`,
      { input: { environment: testEnv.id, template: template.id } },
    );
    expect(applied.applyTemplate.config.env.map((e: { name: string; hasValue: boolean }) => [e.name, e.hasValue])).toEqual([
      ['DB_PASSWORD', true],
      ['API_TOKEN', true],
      ['GREETING', true],
    ]);

    // Release to completion.
    const order = await gql(
      `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { id state revision { number ${ENV} } } } ${ERR} } }`,
      { input: { environment: production.id, batchCount: 1, pauseMode: 'NONE', description: 'secrets at rest' } },
    );
    const orderId = order.createReleaseOrder.releaseOrder.id;
    await untilCompleted(orderId);

    // Every read of what the release left: order, revisions, deployed revision, instances, audit log.
    await gql(`query ($id: ID!) { releaseOrder(id: $id) { id state description revision { number imageReference ${ENV} } transitions { from to actor reason } } }`, { id: orderId });
    const environment = await gql(
      `query ($id: ID!) { node(id: $id) { ... on Environment { namespace deployedRevision { number ${ENV} } revisions(first: 10) { edges { node { number ${ENV} } } } releaseOrders(first: 10) { edges { node { id state } } } instances { id name ready } } } }`,
      { id: production.id },
    );
    const deployed = environment.node.deployedRevision;
    expect(deployed.env.filter((e: { secret: boolean }) => e.secret).map((e: { value: unknown; hasValue: boolean }) => [e.value, e.hasValue])).toEqual([
      [null, true],
      [null, true],
    ]);

    // The secret at runtime: `env` in the instance shows the values (that output is kept apart from the grep).
    const instance = environment.node.instances.find((i: { ready: boolean }) => i.ready);
    const exec = await gql(
      `mutation ($input: ExecInInstanceInput!) { execInInstance(input: $input) { __typename ... on ExecInInstancePayload { exitCode stdout stderr } ${ERR} } }`,
      { input: { instance: instance.id, command: ['env'] } },
      false,
    );
    expect(exec.execInInstance.stdout).toContain(`DB_PASSWORD=${SECRETS.dbPassword}`);
    expect(exec.execInInstance.stdout).toContain(`API_TOKEN=${SECRETS.apiToken}`);

    // The Kubernetes Secret holds the values base64'd, and the pods reach them through secretKeyRef only.
    const kc = new KubeConfig();
    kc.loadFromString(clusters[0]!.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = environment.node.namespace;
    const secrets = (await core.listNamespacedSecret({ namespace, labelSelector: 'app.kubernetes.io/managed-by=cairn' })).items;
    expect(secrets).toHaveLength(1);
    const data = Object.values(secrets[0]!.data ?? {});
    expect(data.map((v) => Buffer.from(v, 'base64').toString('utf8')).sort()).toEqual([SECRETS.apiToken, SECRETS.dbPassword].sort());
    const pods = (await core.listNamespacedPod({ namespace })).items;
    expect(pods.length).toBeGreaterThan(0);
    const podText = JSON.stringify(pods);
    for (const value of Object.values(SECRETS)) expect(podText).not.toContain(value);
    expect(pods[0]!.spec!.containers[0]!.env!.find((e) => e.name === 'DB_PASSWORD')?.valueFrom?.secretKeyRef?.name).toBe(secrets[0]!.metadata!.name);

    // Rotate one secret and keep the other (sent without its value).
    const current = await gql(`query ($id: ID!) { node(id: $id) { ... on Environment { config { version } } } }`, { id: production.id });
    const rotated = (
      await gql(UPDATE, {
        input: {
          environment: production.id,
          version: current.node.config.version,
          config: { ...config, env: [{ name: 'DB_PASSWORD', value: SECRETS.rotated, secret: true }, { name: 'API_TOKEN', secret: true }, config.env[2]] },
        },
      })
    ).updateDeploymentConfig;
    expect(rotated.config.env.map((e: { hasValue: boolean }) => e.hasValue)).toEqual([true, true, true]);
    const secondPreview = await gql(`query ($env: ID!) { previewRelease(environment: $env, batchCount: 1) { ... on ReleasePreview { changes { path before after secret } } } }`, { env: production.id });
    expect(secondPreview.previewRelease.changes).toEqual([{ path: ['env', 'DB_PASSWORD', 'value'], before: expect.any(String), after: expect.any(String), secret: true }]);

    // The audit trail: every mutation above, its input with the secrets masked.
    const audit = await gql(`query { auditLog(first: 100) { edges { node { action outcome target input message errorCode actor { name } } } } }`);
    const entries = audit.auditLog.edges.map((e: { node: { action: string } }) => e.node);
    expect(entries.map((e: { action: string }) => e.action)).toEqual(expect.arrayContaining(['updateDeploymentConfig', 'saveTemplate', 'applyTemplate', 'createReleaseOrder', 'execInInstance']));

    // The grep. The database while cairn runs (file, WAL), then after a clean shutdown.
    const whileRunning = databaseBytes();
    expect(whileRunning).toContain(`hello-${nonce}`); // plain values are there: the grep reads the right files
    child!.kill('SIGTERM');
    const [code] = (await exited) as [number | null];
    expect(code).toBe(0);
    const afterShutdown = databaseBytes();
    const everyResponse = responses.join('\n');
    expect(everyResponse).toContain(`hello-${nonce}`);
    expect(logText).toContain('"msg":"ready"');
    const leaks: string[] = [];
    for (const [label, value] of Object.entries(SECRETS)) {
      for (const form of forms(value)) {
        if (whileRunning.includes(form)) leaks.push(`${label} (${form}) in the database while running`);
        if (afterShutdown.includes(form)) leaks.push(`${label} (${form}) in the database file`);
        if (logText.includes(form)) leaks.push(`${label} (${form}) in the logs`);
        if (everyResponse.includes(form)) leaks.push(`${label} (${form}) in a response`);
      }
    }
    expect(leaks).toEqual([]);
    // The key file is not in the logs either.
    const key = readFileSync(join(dir, 'secret.key'), 'utf8').trim();
    expect(logText).not.toContain(key);
    expect(logText).toContain(join(dir, 'secret.key'));
  }, 120_000);
});
