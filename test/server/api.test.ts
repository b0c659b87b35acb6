import { afterEach, describe, expect, it } from 'vitest';
import { graphql, testServer, type TestServer, TOKEN } from './helpers.js';

let t: TestServer;
afterEach(() => t?.close());

describe('the API in-process (yoga.fetch)', () => {
  it('lists the clusters with their reachability', async () => {
    t = await testServer();
    t.reachability.set('beta', { reachable: false, error: 'connection refused' });
    await t.clusters.checkAll();
    const { status, body } = await graphql(t.server, '{ clusters { name server reachable lastCheckedAt lastError sandbox } }');
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.clusters).toEqual([
      { name: 'alpha', server: 'https://alpha.example:6443', reachable: true, lastCheckedAt: expect.any(String), lastError: null, sandbox: false },
      { name: 'beta', server: 'https://beta.example:6443', reachable: false, lastCheckedAt: expect.any(String), lastError: 'connection refused', sandbox: false },
    ]);
    expect(new Date(body.data.clusters[0].lastCheckedAt).toISOString()).toBe(body.data.clusters[0].lastCheckedAt);
  });

  it('shows a cluster as unchecked before its first check', async () => {
    t = await testServer();
    const { body } = await graphql(t.server, '{ cluster(name: "alpha") { name reachable lastCheckedAt } missing: cluster(name: "nope") { name } }');
    expect(body.data).toEqual({ cluster: { name: 'alpha', reachable: null, lastCheckedAt: null }, missing: null });
  });

  it('fetches a cluster by its global ID with node(id:)', async () => {
    t = await testServer();
    const { body } = await graphql(t.server, '{ clusters { id name } }');
    const alpha = body.data.clusters[0];
    const node = await graphql(t.server, 'query ($id: ID!) { node(id: $id) { id ... on Cluster { name } } }', { id: alpha.id });
    expect(node.body.data.node).toEqual({ id: alpha.id, name: 'alpha' });
  });

  it('masks unexpected errors and logs them', async () => {
    t = await testServer();
    t.clusters.list = () => {
      throw new Error(`kaboom with ${TOKEN}`);
    };
    const { status, body } = await graphql(t.server, '{ clusters { name } }');
    expect(status).toBe(200);
    expect(body.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
    expect(JSON.stringify(body)).not.toContain('kaboom');
    const logged = t.logs.lines().filter((l) => l.msg === 'unexpected error (masked in the response)');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.error).toMatchObject({ type: 'Error', message: expect.stringContaining('kaboom') });
  });

  it('serves GraphiQL at /graphql, with subscriptions over server-sent events (they carry its Authorization header)', async () => {
    t = await testServer();
    const response = await t.server.yoga.fetch('http://cairn.test/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<title>cairn</title>');
    expect(html).toMatch(/"subscriptionsProtocol":"SSE"/);
  });

  it('redirects / to GraphiQL', async () => {
    t = await testServer();
    const response = await t.server.yoga.fetch('http://cairn.test/', { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });
});

describe('health routes', () => {
  it('/healthz answers ok while the process lives', async () => {
    t = await testServer({ loadClusters: false });
    const response = await t.server.yoga.fetch('http://cairn.test/healthz');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });

  it('/readyz is 503 with the reasons until the database is migrated and the clusters are loaded', async () => {
    t = await testServer({ loadClusters: false });
    t.databaseReady.value = false;
    let response = await t.server.yoga.fetch('http://cairn.test/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'not ready', reasons: ['database is not migrated', 'clusters are loading'] });

    t.databaseReady.value = true;
    t.clusters.load([]);
    response = await t.server.yoga.fetch('http://cairn.test/readyz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready' });
  });
});

describe('logged errors', () => {
  it('never carry a failed query’s parameters', async () => {
    t = await testServer();
    t.clusters.list = () => {
      const error = new Error('Failed query: insert into env_vars (name, value) values (?, ?)\nparams: DB_PASSWORD,hunter2-secret');
      Object.assign(error, { params: ['DB_PASSWORD', 'hunter2-secret'] });
      throw new Error('wrapped', { cause: error });
    };
    const { body } = await graphql(t.server, '{ clusters { name } }');
    expect(body.errors?.[0]?.message).toBe('Unexpected error.');
    const logged = t.logs.lines().find((l) => l.msg === 'unexpected error (masked in the response)');
    expect(logged?.error).toMatchObject({ type: 'Error', message: 'wrapped', cause: { message: expect.stringContaining('params: [REDACTED]') } });
    expect(t.logs.text()).not.toContain('hunter2-secret');
  });
});
