/**
 * One object, one ID: a global ID is accepted only as cairn spells it. `App:01`, `App:0x1`,
 * `App: 1` (base64 of those) and base64 without padding name nothing, in every argument, and the
 * audit trail records the one spelling that `auditLog(target:)` is asked for.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeId, localIdOrNull, MAX_GLOBAL_ID_LENGTH } from '../../src/schema/ids.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp, type CreatedApp } from '../helpers/operations.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const UPDATE_APP = `mutation ($input: UpdateAppInput!) { updateApp(input: $input) { __typename ... on Error { code } } }`;
const READ = `query ($id: ID!) { app(id: $id) { name } node(id: $id) { id } }`;
const AUDIT = `query ($target: ID) { auditLog(target: $target, action: "updateApp", first: 50) { edges { node { target input outcome } } } }`;

let api: TestApi;
let app: CreatedApp;
let owner: string;
let local: string;

/** The other spellings of the app's ID. */
const spellings = () =>
  [b64(`App:0${local}`), b64(`App:0x${Number(local).toString(16)}`), b64(`App: ${local}`), b64(`App:${local}`).replace(/=+$/, ''), b64(`App:+${local}`)].filter((id) => id !== app.id);

beforeAll(async () => {
  api = await createTestApi();
  app = await createApp(api, 'spelled-app');
  local = Buffer.from(app.id, 'base64').toString().split(':')[1]!;
  owner = await issueTestToken(api.repos, { name: 'spelled-owner', grants: [{ appId: Number(local), role: 'OWNER' }] });
});
afterAll(async () => {
  await api?.close();
});

describe('decodeId', () => {
  it('accepts the one spelling cairn hands out, for every kind of local ID', () => {
    expect(decodeId(encodeGlobalID('App', '12'))).toEqual({ typename: 'App', id: '12' });
    expect(decodeId(encodeGlobalID('Instance', '3/web-7d9f-abcde'))).toEqual({ typename: 'Instance', id: '3/web-7d9f-abcde' });
    expect(decodeId(encodeGlobalID('Cluster', 'arn:aws:eks:eu/prod'))).toEqual({ typename: 'Cluster', id: 'arn:aws:eks:eu/prod' });
  });

  it.each([
    ['a leading zero', b64('App:012')],
    ['hexadecimal', b64('App:0xc')],
    ['a space', b64('App: 12')],
    ['a sign', b64('App:+12')],
    ['an exponent', b64('App:1.2e1')],
    ['zero', b64('App:0')],
    ['base64 without padding', b64('App:1').replace(/=+$/, '')],
    ['base64url', b64('Instance:3/web>?').replace(/\+/g, '-').replace(/\//g, '_')],
    ['an instance with a leading zero', b64('Instance:03/web')],
    ['an instance without a pod', b64('Instance:3/')],
    ['a lower-case type', b64('app:12')],
    ['not base64', 'App:12'],
    ['a word that is base64 of nothing (an enum value in an input)', 'NONE'],
    ['no type separator', b64('App12')],
    ['an empty type', b64(':12')],
    ['an empty text', ''],
    ['a local ID starting with the separator', b64('Cluster::x')],
    ['an empty local ID', b64('Cluster:')],
    ['a longer ID than cairn hands out', b64(`Cluster:${'c'.repeat(MAX_GLOBAL_ID_LENGTH)}`)],
  ])('refuses %s', (_what, id) => {
    expect(decodeId(id)).toBeNull();
  });

  it('localIdOrNull: only the one spelling of the right type', () => {
    expect(localIdOrNull(encodeGlobalID('App', '7'), 'App')).toBe(7);
    expect(localIdOrNull(b64('App:07'), 'App')).toBeNull();
    expect(localIdOrNull(encodeGlobalID('App', '7'), 'Environment')).toBeNull();
  });
});

describe('other spellings of an ID name nothing', () => {
  it('reads: app(id:) is null; node(id:) refuses the ID without repeating it', async () => {
    expect(dataOf(await api.gql(READ, { id: app.id }))).toEqual({ app: { name: 'spelled-app' }, node: { id: app.id } });
    for (const id of spellings()) {
      const res = await api.gql(READ, { id });
      expect(res.data?.app ?? null, id).toBeNull();
      expect(res.data?.node ?? null, id).toBeNull();
      expect(res.errors?.map((e) => e.message)).toEqual(['Not a global ID: pass an ID exactly as cairn returned it in an `id` field.']);
    }
  });

  it('changes: refused for the owner (FORBIDDEN) and an admin (NotFoundError); nothing changes', async () => {
    for (const id of spellings()) {
      const asOwner = await api.gql(UPDATE_APP, { input: { id, description: 'changed through another spelling' } }, { token: owner });
      expect(asOwner.errors?.[0]?.message, id).toContain('may not use Mutation.updateApp');
      const asAdmin = dataOf(await api.gql(UPDATE_APP, { input: { id, description: 'changed through another spelling' } })).updateApp;
      expect(asAdmin, id).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    }
    expect(api.dump()).not.toContain('changed through another spelling');
  });

  it('auditLog(target:) finds the change made with the ID; the refused spellings are not recorded as targets', async () => {
    expect(dataOf(await api.gql(UPDATE_APP, { input: { id: app.id, description: 'changed' } }, { token: owner })).updateApp.__typename).toBe('UpdateAppPayload');
    const entries = dataOf(await api.gql(AUDIT, { target: app.id })).auditLog.edges.map((e: any) => e.node);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ target: app.id, outcome: 'SUCCEEDED' });
    const targets = (await api.repos.audit.page({ action: 'updateApp' }, null, 100)).rows.map((e) => e.targetId);
    expect(targets.filter((t) => t !== null && t !== app.id)).toEqual([]);
    for (const id of spellings()) expect(dataOf(await api.gql(AUDIT, { target: id })).auditLog.edges, id).toEqual([]);
  });
});
