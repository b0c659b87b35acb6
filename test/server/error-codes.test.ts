/**
 * Every error a client can see carries `extensions.code`: a walk through bad requests of every kind
 * (malformed IDs and cursors, bad arguments, syntax and validation errors, missing or unknown
 * tokens, missing roles, limits) over HTTP, server-sent events and graphql-ws, on the real server.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { graphql, sseEvents, testServer, type TestServer } from './helpers.js';

interface WireError {
  message: string;
  extensions?: { code?: unknown };
}

let t: TestServer;
let url: string;
let viewer: string;
let environment: string;
let client: Client | undefined;

/** An ID in base64 that is not a global ID, one of a type that does not exist, and a cursor of another list. */
const NOT_AN_ID = 'abc';
const OTHER_CURSOR = Buffer.from('OffsetConnection:abc').toString('base64');
const AUDIT_CURSOR = Buffer.from('audit:1:1').toString('base64url');

beforeAll(async () => {
  t = await testServer();
  await t.clusters.checkAll();
  ({ url } = await t.server.start(0));
  viewer = await issueTestToken(t.repos, { name: 'error-codes-viewer', admin: false, grants: [] });
  const created = await graphql(
    t.server,
    'mutation { createApp(input: { name: "codes", businessType: "ERP", productionCluster: "alpha", testCluster: "beta" }) { ... on CreateAppPayload { app { environments { id } } } } }',
  );
  environment = created.body.data?.createApp?.app?.environments?.[0]?.id;
  expect(environment).toBeTruthy();
});

afterAll(async () => {
  await client?.dispose();
  await t?.close();
});

/** Bad queries and mutations over HTTP: [what, the code expected, query, variables? ({}: the environment as $e), token?]. undefined token: the admin's; null: none. */
const HTTP_CASES: Array<[string, string, string, Record<string, unknown>?, (() => string | null)?]> = [
  ['node with a malformed ID', 'BAD_USER_INPUT', `{ node(id: "${NOT_AN_ID}") { id } }`],
  ['nodes with a malformed ID', 'BAD_USER_INPUT', `{ nodes(ids: ["${NOT_AN_ID}"]) { id } }`],
  ['node with an over-long ID', 'BAD_USER_INPUT', `{ node(id: "${'A'.repeat(600)}") { id } }`],
  ['apps after a malformed cursor', 'BAD_USER_INPUT', '{ apps(first: 1, after: "nope") { edges { cursor } } }'],
  ['apps after a cursor of another list', 'BAD_USER_INPUT', `{ apps(first: 1, after: "${AUDIT_CURSOR}") { edges { cursor } } }`],
  ['apps after an offset cursor that is not a number', 'BAD_USER_INPUT', `{ apps(first: 1, after: "${OTHER_CURSOR}") { edges { cursor } } }`],
  ['apps before a malformed cursor', 'BAD_USER_INPUT', '{ apps(last: 1, before: "%%%") { edges { cursor } } }'],
  ['apps with a negative first', 'BAD_USER_INPUT', '{ apps(first: -1) { edges { cursor } } }'],
  ['apps with a negative last', 'BAD_USER_INPUT', '{ apps(last: -2) { edges { cursor } } }'],
  ['templates after a malformed cursor', 'BAD_USER_INPUT', '{ templates(after: "nope") { totalCount } }'],
  ['apiTokens after a malformed cursor', 'BAD_USER_INPUT', '{ apiTokens(after: "nope") { totalCount } }'],
  ['auditLog after a malformed cursor', 'BAD_USER_INPUT', '{ auditLog(after: "nope") { totalCount } }'],
  ['auditLog with a negative first', 'BAD_USER_INPUT', '{ auditLog(first: -1) { totalCount } }'],
  ['releaseOrders after a malformed cursor', 'BAD_USER_INPUT', 'query ($e: ID!) { node(id: $e) { ... on Environment { releaseOrders(after: "nope") { totalCount } } } }', {}],
  ['revisions after a malformed cursor', 'BAD_USER_INPUT', 'query ($e: ID!) { node(id: $e) { ... on Environment { revisions(after: "nope") { totalCount } } } }', {}],
  ['a syntax error', 'GRAPHQL_PARSE_FAILED', '{ apps { '],
  ['an unknown field', 'GRAPHQL_VALIDATION_FAILED', '{ noSuchField }'],
  ['a variable of the wrong type', 'BAD_USER_INPUT', 'query ($n: Int) { apps(first: $n) { totalCount } }', { n: 'many' }],
  ['a missing required variable', 'BAD_USER_INPUT', 'query ($id: ID!) { node(id: $id) { id } }', {}],
  ['no token', 'UNAUTHENTICATED', '{ clusters { name } }', undefined, () => null],
  ['an unknown token', 'UNAUTHENTICATED', '{ clusters { name } }', undefined, () => 'cairn_not-a-token'],
  ['a viewer without the admin role', 'FORBIDDEN', '{ apiTokens { totalCount } }', undefined, () => viewer],
  ['a viewer reading the audit trail', 'FORBIDDEN', '{ auditLog { totalCount } }', undefined, () => viewer],
  ['too deep a query', 'QUERY_TOO_DEEP', `{ apps { edges { node { ${'environments { app { '.repeat(20)}id${' } }'.repeat(20)} } } } }`],
  ['too many aliases', 'TOO_MANY_ALIASES', `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: clusters { name }`).join(' ')} }`],
];

function expectCodes(what: string, errors: WireError[] | undefined, code?: string) {
  expect(errors, `${what}: an error was expected`).toBeDefined();
  expect(errors!.length, `${what}: an error was expected`).toBeGreaterThan(0);
  for (const error of errors!) {
    expect(typeof error.extensions?.code, `${what}: "${error.message}" has no extensions.code`).toBe('string');
  }
  if (code) expect(errors!.map((e) => e.extensions?.code), what).toContain(code);
}

describe('every error has an extensions.code', () => {
  it.each(HTTP_CASES)('over HTTP: %s (%s)', async (what, code, query, variables, token) => {
    const vars = variables && Object.keys(variables).length === 0 ? { e: environment } : variables;
    const res = await graphql(t.server, query, vars, token ? token() : undefined);
    expectCodes(what, res.body.errors, code);
  });

  it('over HTTP: a body that is not JSON, and a request without a query', async () => {
    for (const body of ['{"query": ', '{}', '{"query": 1}']) {
      const res = await t.server.yoga.fetch('http://cairn.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(t.adminToken) },
        body,
      });
      expectCodes(`body ${body}`, ((await res.json()) as { errors?: WireError[] }).errors);
    }
  });

  const SUBSCRIPTIONS: Array<[string, string, string]> = [
    ['instancesChanged with a malformed ID', 'FORBIDDEN', `subscription { instancesChanged(environment: "${NOT_AN_ID}") { kind } }`],
    ['instanceEvents with a malformed ID', 'FORBIDDEN', `subscription { instanceEvents(environment: "${NOT_AN_ID}") { kind } }`],
    ['releaseOrderFeed with a malformed ID', 'FORBIDDEN', `subscription { releaseOrderFeed(id: "${NOT_AN_ID}") { kind } }`],
    ['an unknown subscription field', 'GRAPHQL_VALIDATION_FAILED', 'subscription { noSuchField }'],
  ];

  it.each(SUBSCRIPTIONS)('over server-sent events: %s (%s)', async (what, code, query) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(viewer) },
      body: JSON.stringify({ query }),
    });
    const errors: WireError[] = [];
    if ((res.headers.get('content-type') ?? '').includes('application/json')) errors.push(...(((await res.json()) as { errors?: WireError[] }).errors ?? []));
    else {
      for await (const event of sseEvents(res.body!)) {
        if (event.event === 'complete') break;
        const payload = JSON.parse(event.data) as { errors?: WireError[] };
        errors.push(...(payload.errors ?? []));
      }
    }
    expectCodes(what, errors, code);
  });

  it.each(SUBSCRIPTIONS)('over graphql-ws: %s (%s)', async (what, code, query) => {
    client ??= createClient({
      url: url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${viewer}` },
    });
    const errors: WireError[] = [];
    try {
      for await (const result of client.iterate({ query })) errors.push(...((result.errors as WireError[] | undefined) ?? []));
    } catch (thrown) {
      errors.push(...(thrown as WireError[]));
    }
    expectCodes(what, errors, code);
  });
});
