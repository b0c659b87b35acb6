/**
 * Execute once, send many: live subscriptions that share a document, its variables and what the
 * token may see (its role on the app) share one execution per event — and each token's rules still
 * hold: two roles on one document see what each may see, a revoked or demoted member leaves its
 * group at once, and every member keeps its own order and cursors.
 */
import { createClient, type Client } from 'graphql-ws';
import { afterEach, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { localIdOrNull } from '../../src/schema/ids.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { INSTANCES_CHANGED, startLiveHarness, type LiveHarness } from './harness.js';

let h: LiveHarness;
const clients: Client[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map(async (c) => c.dispose()));
  await h?.close();
});

/** What members of `app` show: only an OWNER (or an admin) may read it. */
const WITH_MEMBERS = `subscription ($environment: ID!) {
  instancesChanged(environment: $environment) {
    kind cursor
    ... on InstanceChanged { instance { name resourceVersion environment { app { members { role } } } } }
  }
}`;

async function gqlAs(secret: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await h.server.yoga.fetch('http://cairn.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...bearer(secret) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: any[] };
}

/** The app `web`: its global ID and database id. */
async function webApp() {
  const res = await h.gql('query ($id: ID!) { node(id: $id) { ... on Environment { app { id } } } }', { id: h.env.id });
  const id = res.data.node.app.id as string;
  return { id, local: localIdOrNull(id, 'App')! };
}

/** A token with `role` on the app, its secret and global ID. */
async function member(name: string, appId: number, role: 'VIEWER' | 'DEPLOYER' | 'OWNER') {
  const secret = await issueTestToken(h.repos, { name, admin: false, grants: [{ appId, role }] });
  const res = await gqlAs(secret, '{ viewer { token { id } } }');
  return { secret, id: res.data.viewer.token.id as string };
}

/** Follows a subscription over graphql-ws as `secret`: every result (data and errors), and whether it completed. */
function follow(secret: string, query: string, variables: Record<string, unknown>) {
  const client = createClient({ url: h.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: true, connectionParams: bearer(secret) });
  clients.push(client);
  const results: Array<{ data?: any; errors?: readonly any[] }> = [];
  let ended = false;
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  client.subscribe(
    { query, variables },
    {
      next: (r) => {
        results.push(r as never);
        wake();
      },
      error: () => {
        ended = true;
        wake();
      },
      complete: () => {
        ended = true;
        wake();
      },
    },
  );
  const until = async (ok: () => boolean) => {
    while (!ok()) await new Promise<void>((r) => waiters.push(r));
  };
  return {
    results,
    ended: () => ended,
    /** Waits for the `n`-th result (1-based). */
    nth: async (n: number) => {
      await until(() => results.length >= n || ended);
      if (results.length < n) throw new Error('the subscription ended');
      return results[n - 1]!;
    },
    untilEnded: () => until(() => ended),
  };
}

const fanout = () => h.server.yoga.fanout.stats();

it('two roles on one document see what each may see; members of one role share each event\'s execution', async () => {
  h = await startLiveHarness({ config: { maxSubscriptionsPerToken: 50 } });
  await h.createPod('web-production-r1-a');
  const app = await webApp();
  const owner = await member('owner', app.local, 'OWNER');
  const viewerA = await member('viewer-a', app.local, 'VIEWER');
  const viewerB = await member('viewer-b', app.local, 'VIEWER');
  const variables = { environment: h.env.id };
  // The owner subscribes first: were the groups not keyed by role, the viewers would be handed its result.
  const o = follow(owner.secret, WITH_MEMBERS, variables);
  expect((await o.nth(1)).data.instancesChanged.kind).toBe('SNAPSHOT');
  const a = follow(viewerA.secret, WITH_MEMBERS, variables);
  const b = follow(viewerB.secret, WITH_MEMBERS, variables);
  await Promise.all([a.nth(1), b.nth(1)]);
  expect(fanout()).toMatchObject({ groups: 2, members: 3 });

  const version = await h.touchPod('web-production-r1-a', 'roles');
  const [seenByOwner, seenByA, seenByB] = await Promise.all([o.nth(2), a.nth(2), b.nth(2)]);
  expect(seenByOwner.errors).toBeUndefined();
  expect(seenByOwner.data.instancesChanged.instance).toMatchObject({ resourceVersion: version, environment: { app: { members: expect.arrayContaining([{ role: 'OWNER' }, { role: 'VIEWER' }]) } } });
  for (const seen of [seenByA, seenByB]) {
    // The viewer sees the instance, not the members: the field is refused to its role (and the null reaches the nullable environment).
    expect(seen.data.instancesChanged.instance.resourceVersion).toBe(version);
    expect(seen.data.instancesChanged.instance.environment).toBeNull();
    expect(seen.errors?.[0]).toMatchObject({ path: ['instancesChanged', 'instance', 'environment', 'app', 'members'], extensions: { code: 'FORBIDDEN' } });
  }

  // Without the refused field the viewers' results carry no error: one execution serves both.
  const plainA = follow(viewerA.secret, INSTANCES_CHANGED, variables);
  const plainB = follow(viewerB.secret, INSTANCES_CHANGED, variables);
  await Promise.all([plainA.nth(1), plainB.nth(1)]);
  expect(fanout()).toMatchObject({ groups: 3, members: 5 });
  const before = fanout();
  const next = await h.touchPod('web-production-r1-a', 'shared');
  const [x, y] = await Promise.all([plainA.nth(2), plainB.nth(2), o.nth(3), a.nth(3), b.nth(3)]);
  expect(x.data.instancesChanged).toEqual(y.data.instancesChanged);
  expect(x.data.instancesChanged.instance.resourceVersion).toBe(next);
  const after = fanout();
  // The owner's group once, the plain viewers' group once; the erring viewers each their own.
  expect(after.executions - before.executions).toBe(4);
  // The owner's and the plain viewers' frames written straight to their sockets (the second plain viewer's by its
  // group's loop: it parked after its snapshot); the erring viewers' results went through the transport.
  expect({ direct: after.direct - before.direct, shared: after.shared - before.shared }).toEqual({ direct: 3, shared: 0 });
});

it('a revoked member and a demoted member leave their group at once; the others go on', async () => {
  h = await startLiveHarness({ config: { maxSubscriptionsPerToken: 50 } });
  await h.createPod('web-production-r1-a');
  const app = await webApp();
  const staying = await member('staying', app.local, 'DEPLOYER');
  const revoked = await member('revoked', app.local, 'DEPLOYER');
  const demoted = await member('demoted', app.local, 'DEPLOYER');
  const variables = { environment: h.env.id };
  const subs = [staying, revoked, demoted].map((t) => follow(t.secret, INSTANCES_CHANGED, variables));
  await Promise.all(subs.map((s) => s.nth(1)));
  expect(fanout()).toMatchObject({ groups: 1, members: 3 });
  // Caught up at their snapshots, two of the three park at once (their group writes their events in one loop, the
  // first one too; the third reads for it). The snapshot's frame reaches the client before its write's callback: waited for.
  await vi.waitFor(() => expect(fanout().parked).toBe(2));
  const first = await h.touchPod('web-production-r1-a', 'before');
  for (const s of subs) expect((await s.nth(2)).data.instancesChanged.instance.resourceVersion).toBe(first);
  expect(fanout()).toMatchObject({ members: 3, parked: 2 });

  const revoke = await h.gql('mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { __typename } }', { id: revoked.id });
  expect(revoke.data.revokeApiToken.__typename).toBe('RevokeApiTokenPayload');
  await subs[1]!.untilEnded();
  expect(fanout()).toMatchObject({ groups: 1, members: 2 });

  const demote = await h.gql('mutation ($input: SetAppMemberInput!) { setAppMember(input: $input) { __typename } }', {
    input: { app: app.id, token: demoted.id, role: 'VIEWER' },
  });
  expect(demote.data.setAppMember.__typename).toBe('SetAppMemberPayload');
  await subs[2]!.untilEnded();
  expect(fanout()).toMatchObject({ groups: 1, members: 1 });

  // Subscribing again as a VIEWER puts it in the VIEWERs' group, not back in the DEPLOYERs'.
  const again = follow(demoted.secret, INSTANCES_CHANGED, variables);
  await again.nth(1);
  expect(fanout()).toMatchObject({ groups: 2, members: 2 });

  const version = await h.touchPod('web-production-r1-a', 'after');
  expect((await subs[0]!.nth(3)).data.instancesChanged.instance.resourceVersion).toBe(version);
  expect((await again.nth(2)).data.instancesChanged.instance.resourceVersion).toBe(version);
  expect(subs[1]!.results).toHaveLength(2);
  expect(subs[2]!.results).toHaveLength(2);
});

it('every member keeps its own order and cursors, over graphql-ws and SSE; one that resumes gets exactly what it missed', async () => {
  h = await startLiveHarness({ config: { maxSubscriptionsPerToken: 50 } });
  await h.createPod('web-production-r1-a');
  await h.createPod('web-production-r1-b');
  const variables = { environment: h.env.id };
  const client = h.wsClient();
  const members = [...Array.from({ length: 6 }, () => h.ws(INSTANCES_CHANGED, variables, client)), ...Array.from({ length: 3 }, () => h.sse(INSTANCES_CHANGED, variables))];
  const snapshots = await Promise.all(members.map((m) => m.next()));
  expect(snapshots.every((s) => s.kind === 'SNAPSHOT' && s.instances.length === 2)).toBe(true);
  expect(fanout()).toMatchObject({ groups: 1, members: 9 });

  const before = fanout();
  const versions: string[] = [];
  for (let i = 0; i < 5; i++) versions.push(await h.touchPod(i % 2 ? 'web-production-r1-a' : 'web-production-r1-b', `step-${i}`));
  const seen = await Promise.all(members.map((m) => m.take(5)));
  for (const events of seen) {
    expect(events.map((e) => e.instance.resourceVersion)).toEqual(versions);
    expect(events.map((e) => e.cursor)).toEqual(seen[0]!.map((e) => e.cursor));
  }
  const cursors = seen[0]!.map((e) => e.cursor as string);
  expect(new Set(cursors).size).toBe(5);
  // Five events, each executed once for the nine; the six over graphql-ws got each straight from the group (SSE goes through yoga).
  expect(fanout().executions - before.executions).toBe(5);
  expect(fanout().direct - before.direct).toBe(30);
  // Caught up, all but one of the six over graphql-ws are written by their group's loop (SSE members read for themselves).
  expect(fanout().parked).toBe(5);

  // A member that comes back after the second event gets the three that followed, with the same cursors.
  const resumed = h.ws(INSTANCES_CHANGED, { ...variables, after: cursors[1] }, client);
  const caughtUp = await resumed.take(3);
  expect(caughtUp.map((e) => e.cursor)).toEqual(cursors.slice(2));
  expect(caughtUp.map((e) => e.instance.resourceVersion)).toEqual(versions.slice(2));
  for (const m of [...members, resumed]) m.close();
});
