import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashTokenSecret } from '../../src/auth/secret.js';
import { schema } from '../../src/schema/index.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp, ERROR_FRAGMENT } from '../helpers/operations.js';

const VIEWER = `{ viewer { name admin roles { role app { id name } } token { id name prefix admin active } } }`;

const CREATE = `
  mutation ($input: CreateApiTokenInput!) {
    createApiToken(input: $input) {
      __typename
      ... on CreateApiTokenPayload {
        secret
        token { id name prefix admin createdBy createdAt expiresAt revokedAt lastUsedAt active grants { role app { id name } } }
      }
      ... on AlreadyExistsError { typename }
      ...ErrorFields
    }
  }
  ${ERROR_FRAGMENT}
`;

const REVOKE = `
  mutation ($id: ID!) {
    revokeApiToken(input: { id: $id }) {
      __typename
      ... on RevokeApiTokenPayload { token { id name revokedAt active } }
      ...ErrorFields
    }
  }
  ${ERROR_FRAGMENT}
`;

const LIST = `
  query ($first: Int, $after: String) {
    apiTokens(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name prefix admin active createdBy grants { role app { name } } } }
    }
  }
`;

const codeOf = (res: { errors?: unknown[] }) => (res.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code;

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('viewer', () => {
  it('tells the admin token who it is', async () => {
    const { viewer } = dataOf(await api.gql(VIEWER));
    expect(viewer).toMatchObject({ name: 'test-admin', admin: true, roles: [], token: { name: 'test-admin', admin: true, active: true } });
    expect(api.adminToken.startsWith(viewer.token.prefix)).toBe(true);
    expect(viewer.token.prefix.length).toBeLessThan(api.adminToken.length / 2);
  });

  it('tells a member token its roles, and any token its own ApiToken', async () => {
    const app = await createApp(api, 'viewer-app');
    const secret = await issueTestToken(api.repos, { name: 'viewer-member', grants: [{ appId: (await api.repos.apps.byName('viewer-app'))!.id, role: 'DEPLOYER' }] });
    const { viewer } = dataOf(await api.gql(VIEWER, {}, { token: secret }));
    expect(viewer).toMatchObject({ name: 'viewer-member', admin: false, token: { name: 'viewer-member', admin: false, active: true } });
    expect(viewer.roles).toEqual([{ role: 'DEPLOYER', app: { id: app.id, name: 'viewer-app' } }]);
    const own = dataOf(await api.gql(`query ($id: ID!) { node(id: $id) { ... on ApiToken { name } } }`, { id: viewer.token.id }, { token: secret }));
    expect(own.node).toEqual({ name: 'viewer-member' });
  });

  it('is refused without a token (401)', async () => {
    const res = await api.gql(VIEWER, {}, { token: null });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.data ?? null).toBeNull();
  });
});

describe('createApiToken', () => {
  it('creates a token with roles and returns its secret once; the secret authenticates', async () => {
    const app = await createApp(api, 'token-app');
    const res = dataOf(
      await api.gql(CREATE, { input: { name: 'web-deployer', grants: [{ app: app.id, role: 'DEPLOYER' }], expiresAt: '2099-01-01T00:00:00Z' } }),
    ).createApiToken;
    expect(res.__typename).toBe('CreateApiTokenPayload');
    expect(res.secret).toMatch(/^cairn_[A-Za-z0-9_-]{40,}$/);
    expect(res.token).toMatchObject({
      name: 'web-deployer',
      admin: false,
      createdBy: 'test-admin',
      expiresAt: '2099-01-01T00:00:00.000Z',
      revokedAt: null,
      lastUsedAt: null,
      active: true,
      grants: [{ role: 'DEPLOYER', app: { id: app.id, name: 'token-app' } }],
    });
    expect(res.secret.startsWith(res.token.prefix)).toBe(true);

    const { viewer } = dataOf(await api.gql(VIEWER, {}, { token: res.secret }));
    expect(viewer).toMatchObject({ name: 'web-deployer', admin: false, roles: [{ role: 'DEPLOYER', app: { name: 'token-app' } }] });
    // The database holds the hash, never the secret.
    const row = (await api.repos.tokens.byName('web-deployer'))!;
    expect(row.secretHash).toBe(hashTokenSecret(res.secret));
    expect(JSON.stringify(row)).not.toContain(res.secret);
    // Later reads never show it again.
    const listed = JSON.stringify(await api.gql(LIST, { first: 100 }));
    expect(listed).toContain('web-deployer');
    expect(listed).not.toContain(res.secret);
    // The audit trail records the creation, with its target, and neither it nor the log holds the secret.
    const audit = (await api.repos.audit.page({ action: 'createApiToken' }, null, 10)).rows;
    expect(audit[0]).toMatchObject({ actorName: 'test-admin', outcome: 'SUCCEEDED', targetId: res.token.id });
    expect(JSON.stringify(audit)).not.toContain(res.secret);
    expect(api.logText()).not.toContain(res.secret);
  });

  it('creates an admin token that never expires', async () => {
    const res = dataOf(await api.gql(CREATE, { input: { name: 'ci', admin: true } })).createApiToken;
    expect(res.token).toMatchObject({ name: 'ci', admin: true, expiresAt: null, grants: [] });
    expect(dataOf(await api.gql(VIEWER, {}, { token: res.secret })).viewer).toMatchObject({ name: 'ci', admin: true });
  });

  it('offers no field that could reveal a secret or its hash', () => {
    const fields = Object.keys((schema.getType('ApiToken') as any).getFields());
    expect(fields).toContain('prefix');
    expect(fields.filter((f) => /secret|hash/i.test(f))).toEqual([]);
    const inputs = Object.keys((schema.getType('CreateApiTokenInput') as any).getFields());
    expect(inputs.filter((f) => /secret/i.test(f))).toEqual([]);
  });

  it('refuses bad input with every problem and its path, writing nothing', async () => {
    const app = await createApp(api, 'dup-app');
    const before = await api.repos.tokens.count();
    const res = dataOf(
      await api.gql(CREATE, {
        input: {
          name: 'has space',
          expiresAt: '2020-01-01T00:00:00Z',
          grants: [
            { app: app.id, role: 'VIEWER' },
            { app: app.id, role: 'OWNER' },
          ],
        },
      }),
    ).createApiToken;
    expect(res.__typename).toBe('InvalidInputError');
    expect(res.code).toBe('INVALID_INPUT');
    expect(res.problems.map((p: any) => [p.path.join('.'), p.code])).toEqual([
      ['input.expiresAt', 'TOO_SMALL'],
      ['input.grants.1.app', 'DUPLICATE'],
      ['input.name', 'INVALID_FORMAT'],
    ]);
    const empty = dataOf(await api.gql(CREATE, { input: { name: '' } })).createApiToken;
    expect(empty.problems).toEqual([{ path: ['input', 'name'], code: 'REQUIRED', message: expect.any(String) }]);
    expect(await api.repos.tokens.count()).toBe(before);
  });

  it('refuses a taken name with AlreadyExistsError, also when that token was revoked', async () => {
    await issueTestToken(api.repos, { name: 'taken-name' });
    const id = (await api.repos.tokens.byName('taken-name'))!.id;
    await api.repos.tokens.revoke(id, new Date());
    const before = await api.repos.tokens.count();
    const res = dataOf(await api.gql(CREATE, { input: { name: 'taken-name' } })).createApiToken;
    expect(res).toMatchObject({ __typename: 'AlreadyExistsError', code: 'ALREADY_EXISTS', path: ['input', 'name'], name: 'taken-name', typename: 'ApiToken' });
    expect(await api.repos.tokens.count()).toBe(before);
  });

  it('refuses an unknown or malformed app with NotFoundError at its grant, writing nothing', async () => {
    const app = await createApp(api, 'known-app');
    const before = await api.repos.tokens.count();
    const unknown = Buffer.from('App:999999').toString('base64');
    for (const [bad, index] of [
      [unknown, 1],
      ['not-an-id', 1],
    ] as const) {
      const res = dataOf(
        await api.gql(CREATE, {
          input: {
            name: 'half-written',
            grants: [
              { app: app.id, role: 'VIEWER' },
              { app: bad, role: 'OWNER' },
            ],
          },
        }),
      ).createApiToken;
      expect(res).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', typename: 'App', path: ['input', 'grants', String(index), 'app'] });
    }
    expect(await api.repos.tokens.count()).toBe(before);
    expect(await api.repos.tokens.byName('half-written')).toBeUndefined();
  });

  it('is for admins only', async () => {
    const secret = await issueTestToken(api.repos, { name: 'not-admin', admin: false, grants: [] });
    const before = await api.repos.tokens.count();
    const res = await api.gql(CREATE, { input: { name: 'sneaky', admin: true } }, { token: secret });
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.data?.createApiToken ?? null).toBeNull();
    expect(await api.repos.tokens.count()).toBe(before);
  });
});

describe('apiTokens', () => {
  it('lists every token in pages, with totalCount', async () => {
    const total = await api.repos.tokens.count();
    expect(total).toBeGreaterThan(3);
    const first = dataOf(await api.gql(LIST, { first: 2 })).apiTokens;
    expect(first.totalCount).toBe(total);
    expect(first.edges).toHaveLength(2);
    expect(first.edges[0].node).toMatchObject({ name: 'test-admin', admin: true, active: true });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = dataOf(await api.gql(LIST, { first: 100, after: first.pageInfo.endCursor })).apiTokens;
    expect(rest.edges).toHaveLength(total - 2);
    const names = [...first.edges, ...rest.edges].map((e: any) => e.node.name);
    expect(new Set(names).size).toBe(total);
    expect(rest.pageInfo.hasNextPage).toBe(false);
  });

  it('is refused to tokens that are not admins, as is reading another token by ID', async () => {
    const secret = await issueTestToken(api.repos, { name: 'lister', admin: false, grants: [] });
    const res = await api.gql(LIST, { first: 5 }, { token: secret });
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect(res.data ?? null).toBeNull();
    const adminId = dataOf(await api.gql(VIEWER)).viewer.token.id;
    const other = await api.gql(`query ($id: ID!) { node(id: $id) { ... on ApiToken { name } } }`, { id: adminId }, { token: secret });
    // As if it did not exist: null, like an ID that names nothing.
    expect(other).toEqual({ data: { node: null } });
  });
});

describe('active and lastUsedAt', () => {
  it('show whether a token works and when it was last used; an expired token is inactive and refused', async () => {
    const used = await issueTestToken(api.repos, { name: 'used-token', admin: false, grants: [] });
    dataOf(await api.gql(VIEWER, {}, { token: used }));
    const expired = await api.repos.tokens.create(
      { name: 'expired-token', secretHash: hashTokenSecret('cairn_expired-token-secret-for-this-test-only'), prefix: 'cairn_expi', admin: false, createdBy: 'test', expiresAt: new Date(Date.now() - 60_000), grants: [] },
      new Date(Date.now() - 120_000),
    );
    const nodes = dataOf(
      await api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ... on ApiToken { name active lastUsedAt expiresAt } } }`, {
        ids: [Buffer.from(`ApiToken:${(await api.repos.tokens.byName('used-token'))!.id}`).toString('base64'), Buffer.from(`ApiToken:${expired.id}`).toString('base64')],
      }),
    ).nodes;
    expect(nodes[0]).toMatchObject({ name: 'used-token', active: true, lastUsedAt: expect.any(String) });
    expect(nodes[1]).toMatchObject({ name: 'expired-token', active: false, lastUsedAt: null });
    const refused = await api.gql(VIEWER, {}, { token: 'cairn_expired-token-secret-for-this-test-only' });
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    expect(refused.errors![0]!.message).toContain('expired');
  });
});

describe('node and nodes', () => {
  it('load tokens by ID, in the order asked, for an admin', async () => {
    const a = await issueTestToken(api.repos, { name: 'order-a', admin: false, grants: [] });
    const b = await issueTestToken(api.repos, { name: 'order-b', admin: false, grants: [] });
    const ids = await Promise.all([b, a].map(async (s) => dataOf(await api.gql(VIEWER, {}, { token: s })).viewer.token.id));
    const res = dataOf(await api.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ... on ApiToken { name } } }`, { ids }));
    expect(res.nodes).toEqual([{ name: 'order-b' }, { name: 'order-a' }]);
  });
});

describe('revokeApiToken', () => {
  it('revokes a token: its next request gets 401, revoking again is NOT_ALLOWED', async () => {
    const secret = await issueTestToken(api.repos, { name: 'to-revoke', admin: false, grants: [] });
    expect(dataOf(await api.gql(VIEWER, {}, { token: secret })).viewer.name).toBe('to-revoke');
    const id = dataOf(await api.gql(VIEWER, {}, { token: secret })).viewer.token.id;

    const res = dataOf(await api.gql(REVOKE, { id })).revokeApiToken;
    expect(res.__typename).toBe('RevokeApiTokenPayload');
    expect(res.token).toMatchObject({ id, name: 'to-revoke', active: false });
    expect(res.token.revokedAt).toEqual(expect.any(String));

    const after = await api.gql(VIEWER, {}, { token: secret });
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0]!.message).toContain('revoked');

    const again = dataOf(await api.gql(REVOKE, { id })).revokeApiToken;
    expect(again).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
    expect(again.reason).toContain('already revoked');
  });

  it('answers NotFoundError for an ID that names no token', async () => {
    for (const id of [Buffer.from('ApiToken:424242').toString('base64'), 'nonsense']) {
      const res = dataOf(await api.gql(REVOKE, { id })).revokeApiToken;
      expect(res).toMatchObject({ __typename: 'NotFoundError', typename: 'ApiToken', path: ['input', 'id'] });
    }
  });

  it('is for admins only', async () => {
    const victim = await issueTestToken(api.repos, { name: 'victim', admin: false, grants: [] });
    const attacker = await issueTestToken(api.repos, { name: 'attacker', admin: false, grants: [] });
    const id = dataOf(await api.gql(VIEWER, {}, { token: victim })).viewer.token.id;
    const res = await api.gql(REVOKE, { id }, { token: attacker });
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect((await api.repos.tokens.byName('victim'))!.revokedAt).toBeNull();
  });
});

describe('revoking admin tokens', () => {
  let fresh: TestApi;
  beforeAll(async () => {
    fresh = await createTestApi();
  });
  afterAll(async () => {
    await fresh.close();
  });
  afterEach(() => {
    expect(fresh.logText()).not.toMatch(/cairn_[A-Za-z0-9_-]{20,}/);
  });

  it('refuses to revoke the last active admin token, even by itself', async () => {
    const id = dataOf(await fresh.gql(VIEWER)).viewer.token.id;
    const res = dataOf(await fresh.gql(REVOKE, { id })).revokeApiToken;
    expect(res).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
    expect(res.reason).toContain('last active admin');
    expect(dataOf(await fresh.gql(VIEWER)).viewer.name).toBe('test-admin');
  });

  it('lets an admin token revoke itself while another admin remains; its own later requests get 401', async () => {
    const second = await issueTestToken(fresh.repos, { name: 'second-admin', admin: true });
    const id = dataOf(await fresh.gql(VIEWER, {}, { token: second })).viewer.token.id;
    const res = dataOf(await fresh.gql(REVOKE, { id }, { token: second })).revokeApiToken;
    expect(res).toMatchObject({ __typename: 'RevokeApiTokenPayload', token: { name: 'second-admin', active: false } });
    expect(codeOf(await fresh.gql(VIEWER, {}, { token: second }))).toBe('UNAUTHENTICATED');
    // A revoked admin no longer counts: test-admin is the last one again.
    const last = dataOf(await fresh.gql(REVOKE, { id: dataOf(await fresh.gql(VIEWER)).viewer.token.id })).revokeApiToken;
    expect(last.__typename).toBe('NotAllowedError');
  });
});
