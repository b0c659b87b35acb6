/**
 * Persisted operations (trusted documents): a client sends the sha256 of an operation from a
 * manifest the server loaded; with CAIRN_PERSISTED_ONLY=true a token that is not an admin may send
 * nothing else — over HTTP, server-sent events and graphql-ws.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { run as persistOperations } from '../../scripts/persist-operations.js';
import { loadConfig } from '../../src/config.js';
import { schema } from '../../src/schema/index.js';
import { buildManifest } from '../../src/server/persisted-manifest.js';
import { DEFAULT_PERSISTED_PATHS, loadPersistedStore, manifestFiles, operationHash } from '../../src/server/persisted-store.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { graphql, sseEvents, testServer, type TestServer } from './helpers.js';

const OPERATIONS = `
query Clusters { clusters { ...ClusterFields } }
subscription ClusterFeed { clusterUpdates { ...ClusterFields } }
fragment ClusterFields on Cluster { name reachable }
`;
const DOCUMENT = '{ clusters { name } }';
const UNKNOWN_HASH = 'f'.repeat(64);

let folder: string;
let ids: Record<string, string>;

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'cairn-persisted-'));
  mkdirSync(join(folder, 'operations'));
  writeFileSync(join(folder, 'operations', 'clusters.graphql'), OPERATIONS);
  const out = { write: () => true };
  expect(persistOperations([join(folder, 'operations'), join(folder, 'app.persisted.json'), '--ids', join(folder, 'ids.json')], out, out)).toBe(0);
  ids = JSON.parse(readFileSync(join(folder, 'ids.json'), 'utf8'));
});

afterAll(() => rmSync(folder, { recursive: true, force: true }));

const persisted = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

async function post(t: TestServer, body: Record<string, unknown>, token: string, accept = 'application/json') {
  return t.server.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...bearer(token) },
    body: JSON.stringify(body),
  });
}

async function postJson(t: TestServer, body: Record<string, unknown>, token: string) {
  const res = await post(t, body, token);
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

/** The first data or errors of a subscription over server-sent events, on the listening server. */
async function sseFirst(url: string, body: Record<string, unknown>, token: string) {
  const abort = new AbortController();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(token) },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  try {
    if (!(res.headers.get('content-type') ?? '').includes('text/event-stream')) return (await res.json()) as { data?: any; errors?: any[] };
    for await (const event of sseEvents(res.body!)) {
      if (event.event === 'next') return JSON.parse(event.data) as { data?: any; errors?: any[] };
    }
    return {};
  } finally {
    abort.abort();
  }
}

/** The first result of an operation over graphql-ws (errors thrown by the client are returned as `errors`). */
async function wsFirst(client: Client, payload: { query: string; extensions?: Record<string, unknown> }) {
  const iterator = client.iterate(payload);
  try {
    const next = await iterator.next();
    return next.value as { data?: any; errors?: any[] };
  } catch (errors) {
    return { errors: errors as any[] };
  } finally {
    await iterator.return?.();
  }
}

describe('the manifest builder and the store', () => {
  it('keys each named operation, with the fragments it uses, by the sha256 of its document', () => {
    const manifest = JSON.parse(readFileSync(join(folder, 'app.persisted.json'), 'utf8')) as Record<string, string>;
    expect(Object.keys(ids).sort()).toEqual(['ClusterFeed', 'Clusters']);
    for (const [name, hash] of Object.entries(ids)) {
      expect(operationHash(manifest[hash]!)).toBe(hash);
      expect(manifest[hash]).toContain(name);
      expect(manifest[hash]).toContain('fragment ClusterFields on Cluster');
    }
  });

  it('refuses unnamed operations, missing fragments and documents the schema refuses, naming each', () => {
    expect(() => buildManifest([{ file: 'a.graphql', text: '{ clusters { name } } query B { clusters { ...Missing } } query C { noSuchField }' }], schema)).toThrow(
      /a\.graphql: every operation needs a name[\s\S]*B uses fragment Missing, defined nowhere[\s\S]*C: Cannot query field "noSuchField"/,
    );
  });

  it('reads *.persisted.json under a folder, and skips (with the reason) what does not hash to its key or validate', () => {
    const other = join(folder, 'other');
    mkdirSync(join(other, 'deep'), { recursive: true });
    const good = '{ clusters { name } }';
    writeFileSync(
      join(other, 'deep', 'mixed.persisted.json'),
      JSON.stringify({ [operationHash(good)]: good, [UNKNOWN_HASH]: good, [operationHash('{ nope }')]: '{ nope }', short: good }),
    );
    writeFileSync(join(other, 'ignored.json'), '{}');
    expect(manifestFiles(other)).toEqual([join(other, 'deep', 'mixed.persisted.json')]);
    const store = loadPersistedStore([other, join(folder, 'missing')], schema);
    expect(store.size).toBe(1);
    expect(store.get(operationHash(good))?.document).toBe(good);
    expect(store.skipped).toEqual([
      expect.stringContaining('does not hash to its key'),
      expect.stringContaining('does not validate: Cannot query field "nope"'),
      expect.stringContaining('not a sha256 hash'),
    ]);
  });

  it('reads CAIRN_PERSISTED_OPERATIONS (a comma list) and CAIRN_PERSISTED_ONLY; by default the console\'s and the examples\' folders', () => {
    expect(loadConfig({})).toMatchObject({ persistedOperations: DEFAULT_PERSISTED_PATHS, persistedOnly: false });
    expect(loadConfig({ CAIRN_PERSISTED_OPERATIONS: 'a.persisted.json, b/', CAIRN_PERSISTED_ONLY: 'true' })).toMatchObject({
      persistedOperations: ['a.persisted.json', 'b/'],
      persistedOnly: true,
    });
  });

  it('checks a document when it is first asked for (not at load): one that does not validate is not served, and is skipped once', () => {
    const other = mkdtempSync(join(tmpdir(), 'cairn-persisted-lazy-'));
    const good = '{ clusters { name } }';
    const bad = '{ nope }';
    writeFileSync(join(other, 'a.persisted.json'), JSON.stringify({ [operationHash(good)]: good, [operationHash(bad)]: bad }));
    const store = loadPersistedStore([other], schema);
    expect(store.get(operationHash(bad))).toBeUndefined();
    expect(store.get(operationHash(good))?.ast).toBeDefined();
    expect(store.skipped).toEqual([expect.stringContaining('does not validate: Cannot query field "nope"')]);
    expect(store.skipped).toHaveLength(1);
    expect(store.size).toBe(1);
    rmSync(other, { recursive: true, force: true });
  });

  it('a file that is not a manifest fails at load, naming it', () => {
    const other = mkdtempSync(join(tmpdir(), 'cairn-persisted-broken-'));
    writeFileSync(join(other, 'b.persisted.json'), '[1, 2]');
    expect(() => loadPersistedStore([other], schema)).toThrow(`persisted operations: ${join(other, 'b.persisted.json')} must be a JSON object`);
    rmSync(other, { recursive: true, force: true });
  });

  it('loads every manifest shipped in the console and the examples with nothing skipped', () => {
    const store = loadPersistedStore(DEFAULT_PERSISTED_PATHS, schema);
    expect(store.skipped).toEqual([]);
  });

  it('--check fails when the manifest is stale', () => {
    const quiet = { write: () => true };
    const args = [join(folder, 'operations'), join(folder, 'app.persisted.json'), '--ids', join(folder, 'ids.json'), '--check'];
    expect(persistOperations(args, quiet, quiet)).toBe(0);
    writeFileSync(join(folder, 'operations', 'more.graphql'), 'query Viewer { viewer { name } }');
    expect(persistOperations(args, quiet, quiet)).toBe(1);
    rmSync(join(folder, 'operations', 'more.graphql'));
  });
});

describe('persisted operations accepted, documents too (the default)', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await testServer({ config: { persistedOperations: [folder] } });
    await t.clusters.checkAll();
  });
  afterAll(() => t?.close());

  it('runs an operation sent by its hash alone', async () => {
    const res = await postJson(t, { extensions: persisted(ids.Clusters!) }, t.adminToken);
    expect(res.body).toEqual({ data: { clusters: [{ name: 'alpha', reachable: true }, { name: 'beta', reachable: true }] } });
  });

  it('answers an unknown hash with PERSISTED_QUERY_NOT_FOUND', async () => {
    const res = await postJson(t, { extensions: persisted(UNKNOWN_HASH) }, t.adminToken);
    expect(res.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('still runs documents, for any token', async () => {
    const viewer = await issueTestToken(t.repos, { admin: false, grants: [] });
    expect((await graphql(t.server, DOCUMENT, undefined, viewer)).body).toEqual({ data: { clusters: [{ name: 'alpha' }, { name: 'beta' }] } });
  });
});

describe('CAIRN_PERSISTED_ONLY=true', () => {
  let t: TestServer;
  let url: string;
  let viewer: string;
  const clients: Client[] = [];
  const ws = (token: string) => {
    const client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${token}` } });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await testServer({ config: { persistedOperations: [folder], persistedOnly: true } });
    await t.clusters.checkAll();
    ({ url } = await t.server.start(0));
    viewer = await issueTestToken(t.repos, { name: 'persisted-viewer', admin: false, grants: [] });
  });
  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await t?.close();
  });

  it('over HTTP: refuses a document from a token that is not an admin (PERSISTED_QUERY_ONLY, 403), runs its hashes', async () => {
    const refused = await postJson(t, { query: DOCUMENT }, viewer);
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    expect(refused.body.errors?.[0]?.message).toContain('CAIRN_PERSISTED_ONLY');
    const ran = await postJson(t, { extensions: persisted(ids.Clusters!) }, viewer);
    expect(ran.body.data?.clusters).toHaveLength(2);
  });

  it('over HTTP: a hash wins over a document sent with it', async () => {
    const res = await postJson(t, { query: '{ viewer { name } }', extensions: persisted(ids.Clusters!) }, viewer);
    expect(res.body).toEqual({ data: { clusters: [{ name: 'alpha', reachable: true }, { name: 'beta', reachable: true }] } });
  });

  it('over HTTP: admin tokens may still send documents', async () => {
    expect((await graphql(t.server, DOCUMENT)).body).toEqual({ data: { clusters: [{ name: 'alpha' }, { name: 'beta' }] } });
  });

  it('over server-sent events: refuses a document, follows a persisted subscription', async () => {
    const refused = await sseFirst(url, { query: 'subscription { clusterUpdates { name } }' }, viewer);
    expect(refused.errors?.map((e: { extensions?: { code?: string } }) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    const first = await sseFirst(url, { extensions: persisted(ids.ClusterFeed!) }, viewer);
    expect(first).toEqual({ data: { clusterUpdates: { name: 'alpha', reachable: true } } });
  });

  it('over graphql-ws: refuses a document from a token that is not an admin, runs hashes (with an empty query)', async () => {
    const client = ws(viewer);
    const refused = await wsFirst(client, { query: DOCUMENT });
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_ONLY']);
    const ran = await wsFirst(client, { query: '', extensions: persisted(ids.Clusters!) });
    expect(ran).toEqual({ data: { clusters: [{ name: 'alpha', reachable: true }, { name: 'beta', reachable: true }] } });
    const feed = await wsFirst(client, { query: '', extensions: persisted(ids.ClusterFeed!) });
    expect(feed).toEqual({ data: { clusterUpdates: { name: 'alpha', reachable: true } } });
    const unknown = await wsFirst(client, { query: '', extensions: persisted(UNKNOWN_HASH) });
    expect(unknown.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('over graphql-ws: admin tokens may still send documents', async () => {
    expect(await wsFirst(ws(t.adminToken), { query: DOCUMENT })).toEqual({ data: { clusters: [{ name: 'alpha' }, { name: 'beta' }] } });
  });
});
