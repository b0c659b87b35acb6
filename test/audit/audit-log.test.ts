import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp, type CreatedApp } from '../helpers/operations.js';
import { auditRows } from './helpers.js';

const AUDIT_LOG = `
  query ($first: Int, $after: String, $last: Int, $before: String, $actor: String, $target: ID, $app: ID, $action: String, $outcome: AuditOutcome, $since: DateTime, $until: DateTime) {
    auditLog(first: $first, after: $after, last: $last, before: $before, actor: $actor, target: $target, app: $app, action: $action, outcome: $outcome, since: $since, until: $until) {
      edges { cursor node { id at actor { name tokenId } action target appId app { name } input outcome errorCode message } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }
`;
const SET_COUNT = `mutation ($input: SetInstanceCountInput!) { setInstanceCount(input: $input) { __typename } }`;
const UPDATE_APP = `mutation ($input: UpdateAppInput!) { updateApp(input: $input) { __typename } }`;

type Entry = { id: string; at: string; actor: { name: string; tokenId: string | null }; action: string; target: string | null; appId: string | null; app: { name: string } | null; outcome: string; errorCode: string | null };

let api: TestApi;
let appA: CreatedApp;
let appB: CreatedApp;
let ownerA: string;
let ownerB: string;
let deployerA: string;
let stranger: string;

const appDbId = (app: CreatedApp) => Number(Buffer.from(app.id, 'base64').toString().split(':')[1]);

async function log(variables: Record<string, unknown> = {}, token?: string) {
  return api.gql(AUDIT_LOG, { first: 100, ...variables }, token === undefined ? {} : { token });
}
async function entries(variables: Record<string, unknown> = {}, token?: string): Promise<Entry[]> {
  return dataOf(await log(variables, token)).auditLog.edges.map((e: { node: Entry }) => e.node);
}

beforeAll(async () => {
  api = await createTestApi();
  appA = await createApp(api, 'audit-a');
  appB = await createApp(api, 'audit-b');
  ownerA = await issueTestToken(api.repos, { name: 'owner-a', grants: [{ appId: appDbId(appA), role: 'OWNER' }] });
  ownerB = await issueTestToken(api.repos, { name: 'owner-b', grants: [{ appId: appDbId(appB), role: 'OWNER' }] });
  deployerA = await issueTestToken(api.repos, { name: 'deployer-a', grants: [{ appId: appDbId(appA), role: 'DEPLOYER' }] });
  stranger = await issueTestToken(api.repos, { name: 'stranger', grants: [] });
  await api.gql(SET_COUNT, { input: { environment: appA.production.id, instances: 2 } });
  await api.gql(SET_COUNT, { input: { environment: appB.production.id, instances: 3 } });
  await api.gql(UPDATE_APP, { input: { id: appA.id, description: 'by its owner' } }, { token: ownerA });
  await api.gql(UPDATE_APP, { input: { id: appB.id, description: 'not mine' } }, { token: ownerA }); // denied, on app B
  await api.gql(UPDATE_APP, { input: { id: appA.id, description: 'by a deployer' } }, { token: deployerA }); // denied, on app A
  await api.gql(`mutation { createApiToken(input: { name: "ci" }) { __typename } }`); // no app
});
afterAll(async () => {
  await api?.close();
});

describe('auditLog visibility', () => {
  it('an admin reads every entry, newest first', async () => {
    const all = await entries();
    expect(all).toHaveLength((await auditRows(api)).length);
    expect(all.map((e) => e.action)).toEqual(['createApiToken', 'updateApp', 'updateApp', 'updateApp', 'setInstanceCount', 'setInstanceCount', 'createApp', 'createApp']);
    const times = all.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all[0]).toMatchObject({ actor: { name: 'test-admin', tokenId: encodeGlobalID('ApiToken', String((await api.repos.tokens.byName('test-admin'))!.id)) }, appId: null, app: null });
  });

  it('an app owner reads its app\'s entries only, whoever acted (denials included)', async () => {
    const mine = await entries({}, ownerA);
    expect(mine.map((e) => [e.action, e.actor.name, e.outcome])).toEqual([
      ['updateApp', 'deployer-a', 'DENIED'],
      ['updateApp', 'owner-a', 'SUCCEEDED'],
      ['setInstanceCount', 'test-admin', 'SUCCEEDED'],
      ['createApp', 'test-admin', 'SUCCEEDED'],
    ]);
    expect(new Set(mine.map((e) => e.appId))).toEqual(new Set([appA.id]));
    expect(mine[0]!.app).toEqual({ name: 'audit-a' });
    // owner-a's denied attempt on app B is app B's: its owner reads it, owner-a does not.
    const ofB = await entries({}, ownerB);
    expect(ofB.map((e) => [e.action, e.actor.name, e.outcome])).toContainEqual(['updateApp', 'owner-a', 'DENIED']);
  });

  it('an owner asking for another app\'s entries is FORBIDDEN; for its own, it gets them', async () => {
    const res = await log({ app: appB.id }, ownerA);
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect((await entries({ app: appA.id }, ownerA)).length).toBe(4);
  });

  it('a deployer, and a token with no role, are refused', async () => {
    for (const token of [deployerA, stranger]) {
      const res = await log({}, token);
      expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      expect(res.data?.auditLog ?? null).toBeNull();
    }
  });

  it('node(id:) gives an entry to whoever may read it, and null to others', async () => {
    const [newestOfA] = await entries({ app: appA.id });
    const NODE = `query ($id: ID!) { node(id: $id) { __typename ... on AuditEntry { action actor { name } } } }`;
    expect(dataOf(await api.gql(NODE, { id: newestOfA!.id }, { token: ownerA })).node).toEqual({ __typename: 'AuditEntry', action: 'updateApp', actor: { name: 'deployer-a' } });
    expect(dataOf(await api.gql(NODE, { id: newestOfA!.id }, { token: ownerB })).node).toBeNull();
    const [tokenEntry] = await entries({ action: 'createApiToken' });
    expect(dataOf(await api.gql(NODE, { id: tokenEntry!.id }, { token: ownerA })).node).toBeNull();
  });
});

describe('auditLog filters', () => {
  it('by actor: a token name or a token global ID', async () => {
    const byName = await entries({ actor: 'owner-a' });
    expect(byName.map((e) => e.actor.name)).toEqual(['owner-a', 'owner-a']);
    const tokenId = encodeGlobalID('ApiToken', String((await api.repos.tokens.byName('owner-a'))!.id));
    expect(await entries({ actor: tokenId })).toEqual(byName);
    expect(await entries({ actor: 'nobody' })).toEqual([]);
  });

  it('by target, app, action and outcome', async () => {
    expect((await entries({ target: appA.production.id })).map((e) => e.action)).toEqual(['setInstanceCount']);
    expect((await entries({ app: appB.id })).map((e) => e.action)).toEqual(['updateApp', 'setInstanceCount', 'createApp']);
    expect((await entries({ action: 'updateApp', outcome: 'DENIED' })).map((e) => e.actor.name)).toEqual(['deployer-a', 'owner-a']);
    expect(await entries({ app: encodeGlobalID('App', '999') })).toEqual([]);
  });

  it('by time: since (inclusive) and until (exclusive)', async () => {
    const all = await entries();
    const middle = all[3]!.at;
    const since = await entries({ since: middle });
    const until = await entries({ until: middle });
    expect(since.map((e) => e.id)).toEqual(all.slice(0, 4).map((e) => e.id));
    expect(until.map((e) => e.id)).toEqual(all.slice(4).map((e) => e.id));
    expect(await entries({ since: middle, until: middle })).toEqual([]);
  });
});

describe('auditLog pagination', () => {
  it('pages forward with first/after through every entry once', async () => {
    const all = (await entries()).map((e) => e.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const conn: any = dataOf(await log({ first: 3, after })).auditLog;
      seen.push(...conn.edges.map((e: { node: Entry }) => e.node.id));
      expect(conn.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  });

  it('pages backward with last/before, keeping newest-first order within a page', async () => {
    const all = (await entries()).map((e) => e.id);
    const oldest = dataOf(await log({ first: undefined, last: 3 })).auditLog;
    expect(oldest.edges.map((e: { node: Entry }) => e.node.id)).toEqual(all.slice(-3));
    expect(oldest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = dataOf(await log({ first: undefined, last: 2, before: oldest.pageInfo.startCursor })).auditLog;
    expect(before.edges.map((e: { node: Entry }) => e.node.id)).toEqual(all.slice(-5, -3));
  });

  it('a cursor that is not one of auditLog\'s is refused, naming the argument', async () => {
    const res = await log({ after: 'bm90LWEtY3Vyc29y' });
    expect(res.errors?.[0]?.message).toMatch(/^after: not a cursor of auditLog/);
  });
});
