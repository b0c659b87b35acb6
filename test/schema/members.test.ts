import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRoleName } from '../../src/db/auth-tables.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp, ERROR_FRAGMENT } from '../helpers/operations.js';

const MEMBERS = `query ($id: ID!) { app(id: $id) { name members { tokenId tokenName role since tokenActive } } }`;

const SET = `
  mutation ($input: SetAppMemberInput!) {
    setAppMember(input: $input) {
      __typename
      ... on SetAppMemberPayload { app { name } member { tokenId tokenName role since tokenActive } }
      ...ErrorFields
    }
  }
  ${ERROR_FRAGMENT}
`;

const REMOVE = `
  mutation ($input: RemoveAppMemberInput!) {
    removeAppMember(input: $input) {
      __typename
      ... on RemoveAppMemberPayload { app { name } removedTokenId }
      ...ErrorFields
    }
  }
  ${ERROR_FRAGMENT}
`;

const codeOf = (res: { errors?: unknown[] }) => (res.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

/** A token with roles on apps (by app name); returns its secret and its global ID. */
async function member(name: string, roles: Record<string, AppRoleName> = {}): Promise<{ secret: string; id: string }> {
  const grants = await Promise.all(Object.entries(roles).map(async ([app, role]) => ({ appId: (await api.repos.apps.byName(app))!.id, role })));
  const secret = await issueTestToken(api.repos, { name, admin: false, grants });
  const id = dataOf(await api.gql('{ viewer { token { id } } }', {}, { token: secret })).viewer.token.id as string;
  return { secret, id };
}

const membersOf = async (appId: string, token?: string) => dataOf(await api.gql(MEMBERS, { id: appId }, { token })).app.members as any[];

describe('App.members', () => {
  it('lists the tokens with a role on the app, for its OWNER and admins only', async () => {
    const app = await createApp(api, 'team-app');
    const owner = await member('team-owner', { 'team-app': 'OWNER' });
    const deployer = await member('team-deployer', { 'team-app': 'DEPLOYER' });
    const viewer = await member('team-viewer', { 'team-app': 'VIEWER' });

    for (const token of [undefined, owner.secret]) {
      const members = await membersOf(app.id, token);
      expect(members.map((m) => [m.tokenName, m.role, m.tokenActive])).toEqual([
        ['team-owner', 'OWNER', true],
        ['team-deployer', 'DEPLOYER', true],
        ['team-viewer', 'VIEWER', true],
      ]);
      expect(members[0].tokenId).toBe(owner.id);
    }
    for (const token of [deployer.secret, viewer.secret]) {
      const res = await api.gql(MEMBERS, { id: app.id }, { token });
      expect(codeOf(res)).toBe('FORBIDDEN');
      expect(JSON.stringify(res.data ?? {})).not.toContain('team-owner');
    }
  });
});

describe('setAppMember', () => {
  it('lets an admin add a member; the role takes effect on the token\'s next request', async () => {
    const app = await createApp(api, 'add-app');
    const newcomer = await member('newcomer');
    const res = dataOf(await api.gql(SET, { input: { app: app.id, token: newcomer.id, role: 'DEPLOYER' } })).setAppMember;
    expect(res).toMatchObject({ __typename: 'SetAppMemberPayload', app: { name: 'add-app' }, member: { tokenId: newcomer.id, tokenName: 'newcomer', role: 'DEPLOYER', tokenActive: true } });
    const { viewer } = dataOf(await api.gql('{ viewer { roles { role app { name } } } }', {}, { token: newcomer.secret }));
    expect(viewer.roles).toEqual([{ role: 'DEPLOYER', app: { name: 'add-app' } }]);
  });

  it('lets the app\'s OWNER add, promote and demote members; a role change keeps `since`', async () => {
    const app = await createApp(api, 'owned-app');
    const owner = await member('owned-owner', { 'owned-app': 'OWNER' });
    const other = await member('owned-other');
    const added = dataOf(await api.gql(SET, { input: { app: app.id, token: other.id, role: 'VIEWER' } }, { token: owner.secret })).setAppMember;
    expect(added.member).toMatchObject({ tokenName: 'owned-other', role: 'VIEWER' });
    const promoted = dataOf(await api.gql(SET, { input: { app: app.id, token: other.id, role: 'OWNER' } }, { token: owner.secret })).setAppMember;
    expect(promoted.member).toMatchObject({ role: 'OWNER', since: added.member.since });
    // With two owners, the first may step down.
    const demoted = dataOf(await api.gql(SET, { input: { app: app.id, token: owner.id, role: 'VIEWER' } }, { token: owner.secret })).setAppMember;
    expect(demoted.member).toMatchObject({ tokenName: 'owned-owner', role: 'VIEWER' });
    expect((await membersOf(app.id)).map((m) => [m.tokenName, m.role])).toEqual([
      ['owned-owner', 'VIEWER'],
      ['owned-other', 'OWNER'],
    ]);
  });

  it('is refused (FORBIDDEN) to a DEPLOYER, to the OWNER of another app and to a token with no role, changing nothing', async () => {
    const app = await createApp(api, 'guarded-app');
    await createApp(api, 'elsewhere-app');
    const deployer = await member('guarded-deployer', { 'guarded-app': 'DEPLOYER' });
    const elsewhere = await member('elsewhere-owner', { 'elsewhere-app': 'OWNER' });
    const nobody = await member('guarded-nobody');
    const before = await membersOf(app.id);
    for (const caller of [deployer, elsewhere, nobody]) {
      const set = await api.gql(SET, { input: { app: app.id, token: caller.id, role: 'OWNER' } }, { token: caller.secret });
      expect(codeOf(set)).toBe('FORBIDDEN');
      const remove = await api.gql(REMOVE, { input: { app: app.id, token: deployer.id } }, { token: caller.secret });
      expect(codeOf(remove)).toBe('FORBIDDEN');
    }
    expect(await membersOf(app.id)).toEqual(before);
  });

  it('answers NotFoundError for an unknown app or token (admins); others get FORBIDDEN for an unknown app', async () => {
    const app = await createApp(api, 'nf-app');
    const someone = await member('nf-someone', { 'nf-app': 'OWNER' });
    const noApp = Buffer.from('App:987654').toString('base64');
    const noToken = Buffer.from('ApiToken:987654').toString('base64');
    const a = dataOf(await api.gql(SET, { input: { app: noApp, token: someone.id, role: 'VIEWER' } })).setAppMember;
    expect(a).toMatchObject({ __typename: 'NotFoundError', typename: 'App', path: ['input', 'app'] });
    const t = dataOf(await api.gql(SET, { input: { app: app.id, token: noToken, role: 'VIEWER' } })).setAppMember;
    expect(t).toMatchObject({ __typename: 'NotFoundError', typename: 'ApiToken', path: ['input', 'token'] });
    const ownerUnknownToken = dataOf(await api.gql(SET, { input: { app: app.id, token: 'garbage', role: 'VIEWER' } }, { token: someone.secret })).setAppMember;
    expect(ownerUnknownToken).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'token'] });
    expect(codeOf(await api.gql(SET, { input: { app: noApp, token: someone.id, role: 'VIEWER' } }, { token: someone.secret }))).toBe('FORBIDDEN');
  });

  it('refuses a revoked token with NOT_ALLOWED', async () => {
    const app = await createApp(api, 'revoked-app');
    const gone = await member('gone-token');
    await api.repos.tokens.revoke((await api.repos.tokens.byName('gone-token'))!.id, new Date());
    const res = dataOf(await api.gql(SET, { input: { app: app.id, token: gone.id, role: 'VIEWER' } })).setAppMember;
    expect(res).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
    expect(res.reason).toContain('revoked');
    expect(await membersOf(app.id)).toEqual([]);
  });
});

describe('removeAppMember', () => {
  it('takes a member off the app; its next request lacks the role', async () => {
    const app = await createApp(api, 'remove-app');
    const owner = await member('remove-owner', { 'remove-app': 'OWNER' });
    const leaving = await member('leaving', { 'remove-app': 'DEPLOYER' });
    expect(dataOf(await api.gql(MEMBERS, { id: app.id }, { token: owner.secret })).app.members).toHaveLength(2);
    const res = dataOf(await api.gql(REMOVE, { input: { app: app.id, token: leaving.id } }, { token: owner.secret })).removeAppMember;
    expect(res).toMatchObject({ __typename: 'RemoveAppMemberPayload', app: { name: 'remove-app' }, removedTokenId: leaving.id });
    expect((await membersOf(app.id)).map((m) => m.tokenName)).toEqual(['remove-owner']);
    expect(dataOf(await api.gql('{ viewer { roles { role } } }', {}, { token: leaving.secret })).viewer.roles).toEqual([]);

    const again = dataOf(await api.gql(REMOVE, { input: { app: app.id, token: leaving.id } }, { token: owner.secret })).removeAppMember;
    expect(again).toMatchObject({ __typename: 'NotFoundError', typename: 'AppMember', path: ['input', 'token'] });
  });
});

describe('the last OWNER', () => {
  it('cannot be removed or demoted, by itself or an admin, until another token is OWNER', async () => {
    const app = await createApp(api, 'solo-app');
    const solo = await member('solo-owner', { 'solo-app': 'OWNER' });
    for (const token of [solo.secret, undefined]) {
      const demote = dataOf(await api.gql(SET, { input: { app: app.id, token: solo.id, role: 'DEPLOYER' } }, { token })).setAppMember;
      expect(demote).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
      expect(demote.reason).toContain('last owner');
      const remove = dataOf(await api.gql(REMOVE, { input: { app: app.id, token: solo.id } }, { token })).removeAppMember;
      expect(remove).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
    }
    expect((await membersOf(app.id)).map((m) => [m.tokenName, m.role])).toEqual([['solo-owner', 'OWNER']]);

    const heir = await member('heir');
    dataOf(await api.gql(SET, { input: { app: app.id, token: heir.id, role: 'OWNER' } }, { token: solo.secret }));
    const removed = dataOf(await api.gql(REMOVE, { input: { app: app.id, token: solo.id } }, { token: solo.secret })).removeAppMember;
    expect(removed.__typename).toBe('RemoveAppMemberPayload');
    expect((await membersOf(app.id)).map((m) => [m.tokenName, m.role])).toEqual([['heir', 'OWNER']]);
  });

  it('counts only active tokens: a revoked sole owner may be removed', async () => {
    const app = await createApp(api, 'orphan-app');
    const dead = await member('dead-owner', { 'orphan-app': 'OWNER' });
    await api.repos.tokens.revoke((await api.repos.tokens.byName('dead-owner'))!.id, new Date());
    const listed = await membersOf(app.id);
    expect(listed).toEqual([expect.objectContaining({ tokenName: 'dead-owner', role: 'OWNER', tokenActive: false })]);
    const res = dataOf(await api.gql(REMOVE, { input: { app: app.id, token: dead.id } })).removeAppMember;
    expect(res.__typename).toBe('RemoveAppMemberPayload');
    expect(await membersOf(app.id)).toEqual([]);
  });
});
