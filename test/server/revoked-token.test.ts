import { createClient, type Client } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { issueTestToken } from '../helpers/auth.js';
import { graphql, sseEvents, testServer, type TestServer } from './helpers.js';

const SUBSCRIPTION = 'subscription { clusterUpdates { name reachable } }';
const REVOKE = 'mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { __typename ... on RevokeApiTokenPayload { token { name active } } } }';

let t: TestServer;
let client: Client | undefined;
afterEach(async () => {
  await client?.dispose();
  client = undefined;
  await t?.close();
});

/** A token without roles (it may follow the clusters), and its global ID. */
async function watcher(name: string) {
  const secret = await issueTestToken(t.repos, { name, admin: false, grants: [] });
  const { body } = await graphql(t.server, '{ viewer { token { id } } }', {}, secret);
  return { secret, id: body.data.viewer.token.id as string };
}

/** Follows clusterUpdates over server-sent events; `next()` answers the next update, or null once the stream completed. */
async function followSse(url: string, secret: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${secret}` },
    body: JSON.stringify({ query: SUBSCRIPTION }),
  });
  expect(response.status).toBe(200);
  const events = sseEvents(response.body!);
  return async (): Promise<{ name: string } | null> => {
    for (;;) {
      const { value, done } = await events.next();
      if (done || value.event === 'complete') return null;
      if (value.event === 'next') return JSON.parse(value.data).data.clusterUpdates;
    }
  };
}

describe('revoking a token ends what it has open', () => {
  it('its SSE subscription completes at once, while another token\'s goes on', async () => {
    t = await testServer();
    await t.clusters.checkAll();
    const { url } = await t.server.start(0);
    const revoked = await watcher('sse-watcher');
    const mine = await followSse(url, revoked.secret);
    const others = await followSse(url, t.adminToken);
    expect([await mine(), await mine()]).toEqual([expect.objectContaining({ name: 'alpha' }), expect.objectContaining({ name: 'beta' })]);
    expect([await others(), await others()]).toHaveLength(2);

    const res = await graphql(t.server, REVOKE, { id: revoked.id });
    expect(res.body.data.revokeApiToken).toEqual({ __typename: 'RevokeApiTokenPayload', token: { name: 'sse-watcher', active: false } });
    expect(await mine()).toBeNull();

    t.reachability.set('alpha', { reachable: false, error: 'host not found' });
    await t.clusters.checkAll();
    expect(await others()).toEqual({ name: 'alpha', reachable: false });
    // Subscribing again is refused: the token no longer authenticates.
    const again = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${revoked.secret}` },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(await again.text()).toContain('revoked');
  });

  it('its graphql-ws subscription ends and its connection closes with 4403; connecting again is refused', async () => {
    t = await testServer();
    await t.clusters.checkAll();
    const { url } = await t.server.start(0);
    const revoked = await watcher('ws-watcher');
    const closed = new Promise<number>((resolve) => {
      client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: false, // keep the connection open whatever its subscriptions do
        onNonLazyError: () => {}, // the close is expected: `closed` records it
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${revoked.secret}` },
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
    });
    const events = client!.iterate<{ clusterUpdates: { name: string } }>({ query: SUBSCRIPTION });
    expect((await events.next()).value?.data?.clusterUpdates.name).toBe('alpha');
    expect((await events.next()).value?.data?.clusterUpdates.name).toBe('beta');

    const res = await graphql(t.server, REVOKE, { id: revoked.id });
    expect(res.body.data.revokeApiToken.__typename).toBe('RevokeApiTokenPayload');
    // The subscription ends: completed, or cut by the close that follows at once.
    const end = await events.next().then(
      (result) => result,
      (error: { code?: number }) => error.code,
    );
    expect([{ done: true, value: undefined }, 4403]).toContainEqual(end);
    expect(await closed).toBe(4403);

    // Connecting again with the revoked token is refused at connection_init (4403 too).
    await client!.dispose();
    client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${revoked.secret}` } });
    const refused = await client.iterate({ query: '{ clusters { name } }' }).next().then(
      () => null,
      (error: { code?: number }) => error,
    );
    expect(refused?.code).toBe(4403);
  });

  it('a token that was not revoked keeps its graphql-ws connection', async () => {
    t = await testServer();
    await t.clusters.checkAll();
    const { url } = await t.server.start(0);
    const kept = await watcher('kept-watcher');
    const gone = await watcher('gone-watcher');
    client = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams: { authorization: `Bearer ${kept.secret}` } });
    const events = client.iterate<{ clusterUpdates: { name: string } }>({ query: SUBSCRIPTION });
    expect([(await events.next()).value, (await events.next()).value]).toHaveLength(2);
    expect((await graphql(t.server, REVOKE, { id: gone.id })).body.data.revokeApiToken.__typename).toBe('RevokeApiTokenPayload');
    t.reachability.set('beta', { reachable: false, error: 'down' });
    await t.clusters.checkAll();
    expect((await events.next()).value?.data?.clusterUpdates).toEqual({ name: 'beta', reachable: false });
    const result = await client.iterate({ query: '{ viewer { name } }' }).next();
    expect(result.value).toEqual({ data: { viewer: { name: 'kept-watcher' } } });
  });
});

describe('losing a role ends what a token has open', () => {
  const SET = 'mutation ($input: SetAppMemberInput!) { setAppMember(input: $input) { __typename } }';
  const REMOVE = 'mutation ($input: RemoveAppMemberInput!) { removeAppMember(input: $input) { __typename } }';

  it('a lowered or removed role completes its subscriptions; a raised role does not; it may subscribe again', async () => {
    t = await testServer();
    await t.clusters.checkAll();
    const { url } = await t.server.start(0);
    const created = await graphql(
      t.server,
      'mutation { createApp(input: { name: "roles-app", businessType: "ERP", productionCluster: "alpha", testCluster: "beta" }) { ... on CreateAppPayload { app { id } } } }',
    );
    const app = created.body.data.createApp.app.id as string;
    const member = await watcher('member');
    // Another OWNER, so that the member may be demoted from OWNER.
    await issueTestToken(t.repos, { name: 'keeper', admin: false, grants: [{ appId: (await t.repos.apps.byName('roles-app'))!.id, role: 'OWNER' }] });
    const set = async (role: string) => (await graphql(t.server, SET, { input: { app, token: member.id, role } })).body.data.setAppMember.__typename;
    expect(await set('DEPLOYER')).toBe('SetAppMemberPayload');

    // Raised: the subscription goes on (it sees the next cluster change).
    let follow = await followSse(url, member.secret);
    expect([await follow(), await follow()]).toHaveLength(2);
    expect(await set('OWNER')).toBe('SetAppMemberPayload');
    t.reachability.set('alpha', { reachable: false, error: 'down' });
    await t.clusters.checkAll();
    expect(await follow()).toEqual({ name: 'alpha', reachable: false });

    // Lowered: it completes.
    expect(await set('VIEWER')).toBe('SetAppMemberPayload');
    expect(await follow()).toBeNull();

    // Subscribing again works (the token still authenticates), and removing the role completes that one too.
    follow = await followSse(url, member.secret);
    expect(await follow()).toEqual(expect.objectContaining({ name: 'alpha' }));
    const removed = await graphql(t.server, REMOVE, { input: { app, token: member.id } });
    expect(removed.body.data.removeAppMember.__typename).toBe('RemoveAppMemberPayload');
    for (let next = await follow(); next !== null; next = await follow()) expect(next).toHaveProperty('name');
  });
});

describe('an expiring token', () => {
  it('ends its open subscriptions (SSE, graphql-ws) and closes its connection with 4403 when it expires', async () => {
    t = await testServer();
    await t.clusters.checkAll();
    const { url } = await t.server.start(0);
    // Long enough for both subscriptions to open first on a busy machine (at 1.5 s one CI run expired the token before that).
    const expiresAt = new Date(Date.now() + 4000);
    const secret = await issueTestToken(t.repos, { name: 'brief', admin: false, grants: [], expiresAt });
    const sse = await followSse(url, secret);
    expect([await sse(), await sse()]).toHaveLength(2);
    const closed = new Promise<number>((resolve) => {
      client = createClient({
        url: url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        lazy: false,
        onNonLazyError: () => {},
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${secret}` },
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
    });
    const events = client!.iterate<{ clusterUpdates: { name: string } }>({ query: SUBSCRIPTION });
    expect((await events.next()).value?.data?.clusterUpdates.name).toBe('alpha');

    // Nothing else happens: the end comes from the expiry alone.
    expect(await sse()).toBeNull();
    expect(await closed).toBe(4403);
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime() - 5);
  });
});
