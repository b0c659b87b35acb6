import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCairn, type Cairn } from '../../../src/app.js';
import { schema } from '../../../src/schema/index.js';
import { NUL_ALLOWED, nulRefusals } from '../../../src/server/limits/nul-arguments.js';
import { fakeTerminals, type FakeTerminals } from '../../audit/fake-terminals.js';
import { bearer, issueTestToken } from '../../helpers/auth.js';
import { testConfig } from '../../helpers/cairn.js';
import { kubeconfigText } from '../../kube/fake-api-server.js';
import type { PgCluster } from '../../pg/pg-cluster.js';
import { startPgDatabase } from '../../pg/pg-database.js';
import { memoryLogger } from '../helpers.js';
import { limitsServer, type LimitsServer } from './limits-helpers.js';

const NUL = '\u0000';
const refusals = (query: string, variables?: Record<string, unknown>) =>
  nulRefusals(schema, parse(query), null, variables).map((e) => ({ message: e.message, extensions: e.extensions }));

const CREATE_APP = 'mutation ($input: CreateAppInput!) { createApp(input: $input) { __typename ... on CreateAppPayload { app { id description } } } }';
const appInput = (name: string, description: string) => ({ name, businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', description });
const refusedDescription = {
  code: 'BAD_USER_INPUT',
  argument: 'CreateAppInput.description',
  path: ['createApp', 'input', 'description'],
};

describe('nulRefusals', () => {
  it('refuses NUL in an inline argument, in a variable and in a variable default, naming its coordinate and path', () => {
    expect(refusals(`mutation { createApp(input: { name: "a", businessType: "ERP", productionCluster: "alpha", testCluster: "beta", description: "x\\u0000y" }) { __typename } }`)).toEqual([
      {
        message: 'createApp.input.description (CreateAppInput.description) must not contain the NUL character (U+0000).',
        extensions: refusedDescription,
      },
    ]);
    expect(refusals(CREATE_APP, { input: appInput('a', `x${NUL}`) }).map((r) => r.extensions)).toEqual([refusedDescription]);
    const withDefault = `query ($id: ID! = "a\\u0000") { shown: node(id: $id) { id } }`;
    expect(refusals(withDefault).map((r) => r.extensions)).toEqual([{ code: 'BAD_USER_INPUT', argument: 'Query.node(id:)', path: ['shown', 'id'] }]);
    expect(refusals(withDefault, { id: 'QXBwOjE=' })).toEqual([]);
  });

  it('finds NUL nested in input objects and lists, literal or variable, and in fragments', () => {
    const config = 'mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }';
    const input = { environment: 'e', config: { env: [{ name: 'A', value: 'b' }, { name: 'B', value: `c${NUL}` }] } };
    expect(refusals(config, { input }).map((r) => r.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', argument: 'EnvVarInput.value', path: ['updateDeploymentConfig', 'input', 'config', 'env', '1', 'value'] },
    ]);
    expect(refusals(`{ nodes(ids: ["a", "b\\u0000"]) { id } }`).map((r) => r.extensions.path)).toEqual([['nodes', 'ids', '1']]);
    expect(refusals('query ($ids: [ID!]!) { ...F } fragment F on Query { nodes(ids: $ids) { id } }', { ids: ['a', NUL] }).map((r) => r.extensions.path)).toEqual([['nodes', 'ids', '1']]);
    // One item where a list is expected (coerced to a list of one).
    expect(refusals('query ($id: ID!) { nodes(ids: $id) { id } }', { id: NUL }).map((r) => r.extensions.path)).toEqual([['nodes', 'ids']]);
  });

  it('passes normal input, other control characters and the allow-listed terminal keystrokes', () => {
    expect(refusals(CREATE_APP, { input: appInput('a', 'line one\nline two\ttab') })).toEqual([]);
    expect([...NUL_ALLOWED]).toEqual(['SendTerminalInputInput.data']);
    const send = 'mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { __typename } }';
    expect(refusals(send, { input: { session: 's', data: `${NUL}ls\r` } })).toEqual([]);
    // The session beside it is not allow-listed.
    expect(refusals(send, { input: { session: `s${NUL}`, data: NUL } }).map((r) => r.extensions.argument)).toEqual(['SendTerminalInputInput.session']);
  });

  it('reports at most ten refusals however many values hold NUL', () => {
    expect(refusals('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array(50).fill(NUL) })).toHaveLength(10);
  });
});

describe('the NUL guard on a running server (SQLite)', () => {
  let s: LimitsServer;
  const apps = async () => (await s.post({ query: '{ apps(first: 50) { edges { node { name } } } }' })).body.data.apps.edges.map((e: { node: { name: string } }) => e.node.name);

  beforeAll(async () => {
    s = await limitsServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('over HTTP: NUL inline or in a variable is refused with its code and path, and nothing is written', async () => {
    const inline = await s.post({
      query: `mutation { createApp(input: { name: "inline", businessType: "ERP", productionCluster: "alpha", testCluster: "beta", description: "a\\u0000b" }) { __typename } }`,
    });
    expect(inline.body).toEqual({ errors: [expect.objectContaining({ extensions: refusedDescription })] });
    const variable = await s.post({ query: CREATE_APP, variables: { input: appInput('variable', `a${NUL}b`) } });
    expect(variable.body).toEqual({ errors: [expect.objectContaining({ message: expect.stringContaining('must not contain the NUL character (U+0000)'), extensions: refusedDescription })] });
    expect(await apps()).toEqual([]);
  });

  it('over HTTP: NUL nested in an input list is refused before the mutation runs', async () => {
    const created = await s.post({ query: CREATE_APP, variables: { input: appInput('listed', 'normal') } });
    expect(created.body.data.createApp.__typename).toBe('CreateAppPayload');
    const config = 'mutation ($input: UpdateDeploymentConfigInput!) { updateDeploymentConfig(input: $input) { __typename } }';
    const input = { environment: 'not-looked-up', config: { env: [{ name: 'A', value: 'b' }, { name: 'B', value: `c${NUL}` }] } };
    const { body } = await s.post({ query: config, variables: { input } });
    // Refused by the guard (not NOT_FOUND for the environment, not the env rules' INVALID_INPUT): nothing ran.
    expect(body).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', argument: 'EnvVarInput.value', path: ['updateDeploymentConfig', 'input', 'config', 'env', '1', 'value'] } })],
    });
  });

  it('a normal input still passes: the app is created with its description', async () => {
    const { body } = await s.post({ query: CREATE_APP, variables: { input: appInput('plain', 'a normal description') } });
    expect(body.errors).toBeUndefined();
    expect(body.data.createApp.app.description).toBe('a normal description');
    expect(await apps()).toEqual(expect.arrayContaining(['plain', 'listed']));
  });

  it('over graphql-ws: a mutation and a subscription with NUL are refused, nothing written', async () => {
    const client = s.ws();
    const mutation = await client.iterate({ query: CREATE_APP, variables: { input: appInput('over-ws', NUL) } }).next();
    expect(mutation.value).toEqual({ errors: [expect.objectContaining({ extensions: refusedDescription })] });
    const subscription = await client.iterate({ query: `subscription { releaseOrderUpdated(id: "x\\u0000") { __typename } }` }).next();
    expect(subscription.value).toEqual({
      errors: [expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', argument: 'Subscription.releaseOrderUpdated(id:)', path: ['releaseOrderUpdated', 'id'] } })],
    });
    expect(await apps()).not.toContain('over-ws');
  });

  it('over SSE: a subscription with NUL is refused', async () => {
    const sse = s.sse(`subscription { releaseOrderUpdated(id: "x\\u0000") { __typename } }`);
    const first = await sse.next();
    sse.close();
    expect(first).toEqual({ errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', path: ['releaseOrderUpdated', 'id'] }) })] });
  });
});

describe('the NUL guard on PostgreSQL', () => {
  let cluster: PgCluster;
  let cairn: Cairn;
  let terminals: FakeTerminals;
  let token: string;
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const response = await cairn.server.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(token) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: any }> };
  };

  beforeAll(async () => {
    cluster = await startPgDatabase();
    terminals = fakeTerminals();
    cairn = await createCairn(testConfig({ databaseUrl: cluster.url }), {
      logger: memoryLogger().logger,
      kubeconfig: {
        documents: [
          {
            text: kubeconfigText([
              { name: 'alpha', server: 'https://alpha.example:6443', token: 'x' },
              { name: 'beta', server: 'https://beta.example:6443', token: 'x' },
            ]),
            origin: 'test',
            sandbox: false,
          },
        ],
      },
      testing: { check: async () => ({ reachable: true, error: null }), runEngine: false, bootstrapAdminToken: false, terminals },
    });
    await cairn.clusters.checkAll();
    token = await issueTestToken(cairn.repos, { name: 'pg-admin', admin: true });
  }, 120_000);
  afterAll(async () => {
    await cairn?.stop();
    await cluster?.stop();
  }, 30_000);

  it('an app description with NUL is refused as BAD_USER_INPUT (not an internal error); a normal one is stored', async () => {
    expect(cairn.database.kind).toBe('postgres');
    expect(await gql(CREATE_APP, { input: appInput('pg-nul', `a${NUL}b`) })).toEqual({ errors: [expect.objectContaining({ extensions: refusedDescription })] });
    const created = await gql(CREATE_APP, { input: appInput('pg-plain', 'plain') });
    expect(created.errors).toBeUndefined();
    expect(created.data.createApp.app.description).toBe('plain');
    const names = (await gql('{ apps(first: 10) { edges { node { name } } } }')).data.apps.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(names).toEqual(['pg-plain']);
    // The refused operation ran nothing: no audit entry either.
    const audited = (await gql('{ auditLog(first: 50) { edges { node { action input } } } }')).data.auditLog.edges.map((e: { node: { input: string } }) => e.node.input);
    expect(audited).toHaveLength(1);
    expect(audited[0]).toContain('pg-plain');
  });

  it('terminal keystrokes may hold NUL (Ctrl-@): typed into the shell, and the audit entry is written', async () => {
    const created = await gql(CREATE_APP, { input: appInput('pg-shell', 'shell') });
    const production = (await gql('query ($id: ID!) { node(id: $id) { ... on App { environments { id kind } } } }', { id: created.data.createApp.app.id })).data.node.environments.find(
      (e: { kind: string }) => e.kind === 'PRODUCTION',
    );
    const environmentId = Number(Buffer.from(production.id, 'base64').toString().split(':')[1]);
    terminals.add('pg-session', environmentId, 'pod-one');
    const sent = await gql('mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { __typename } }', { input: { session: 'pg-session', data: `${NUL}ls${NUL}\r` } });
    expect(sent).toEqual({ data: { sendTerminalInput: { __typename: 'TerminalPayload' } } });
    expect(terminals.typed.get('pg-session')).toBe(`${NUL}ls${NUL}\r`);
    const log = await gql('{ auditLog(first: 50) { edges { node { action input outcome } } } }');
    const actions = log.data.auditLog.edges.map((e: { node: { action: string; input: string; outcome: string } }) => e.node);
    expect(actions).toContainEqual({ action: 'sendTerminalInput', input: expect.stringContaining('[keystrokes: 5 bytes]'), outcome: 'SUCCEEDED' });
    expect(actions).toContainEqual({ action: 'terminalCommand', input: expect.stringContaining('"line":"ls"'), outcome: 'SUCCEEDED' });
  });
});
