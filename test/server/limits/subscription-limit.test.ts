import { afterEach, describe, expect, it, vi } from 'vitest';
import { limitsServer, type LimitsServer } from './limits-helpers.js';

const SUBSCRIPTION = 'subscription { clusterUpdates { name } }';
const FIRST_EVENT = { data: { clusterUpdates: { name: 'alpha' } } };

let s: LimitsServer;
afterEach(async () => {
  await s?.close();
});

const tooMany = [
  expect.objectContaining({
    message: 'Too many open subscriptions: this API token may have 3 open at once (CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN); close one first.',
    extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS', limit: 3 }),
  }),
];

describe('the subscription cap per token', () => {
  it('counts graphql-ws and SSE subscriptions together, refuses the next one over either, and frees a slot when one closes', async () => {
    s = await limitsServer({ maxSubscriptionsPerToken: 3 });
    const adminId = (await s.t.repos.tokens.byName('test-admin'))!.id;
    const open = () => s.t.server.yoga.limits.subscriptions.open(adminId);
    const client = s.ws();
    const first = client.iterate({ query: SUBSCRIPTION });
    const second = client.iterate({ query: SUBSCRIPTION });
    const sse = s.sse(SUBSCRIPTION);
    expect([(await first.next()).value, (await second.next()).value, await sse.next()]).toEqual([FIRST_EVENT, FIRST_EVENT, FIRST_EVENT]);
    expect(open()).toBe(3);

    // The fourth, over graphql-ws and over SSE: refused; the three open ones are untouched.
    expect((await client.iterate({ query: SUBSCRIPTION }).next()).value?.errors).toEqual(tooMany);
    expect((await s.sse(SUBSCRIPTION).next()).errors).toEqual(tooMany);
    expect(open()).toBe(3);

    // Another token has its own slots.
    expect((await s.ws(s.otherToken).iterate({ query: SUBSCRIPTION }).next()).value).toEqual(FIRST_EVENT);

    // Completing a graphql-ws subscription frees its slot once the server has the Complete message.
    await first.return?.();
    await vi.waitFor(() => expect(open()).toBe(2));
    const third = client.iterate({ query: SUBSCRIPTION });
    expect((await third.next()).value).toEqual(FIRST_EVENT);
    expect(open()).toBe(3);

    // Closing the SSE stream frees its slot once the server sees the connection close.
    sse.close();
    await vi.waitFor(() => expect(open()).toBe(2));
    expect(await s.sse(SUBSCRIPTION).next()).toEqual(FIRST_EVENT);
    expect(open()).toBe(3);
  });

  it('an invalid subscription or one that fails to start holds no slot; a socket that drops frees all of its slots', async () => {
    s = await limitsServer({ maxSubscriptionsPerToken: 3 });
    const adminId = (await s.t.repos.tokens.byName('test-admin'))!.id;
    const open = () => s.t.server.yoga.limits.subscriptions.open(adminId);
    const client = s.ws();
    const invalid = await client.iterate({ query: 'subscription { clusterUpdates { nosuch } }' }).next().catch((errors: unknown) => errors);
    expect(invalid).toEqual([expect.objectContaining({ message: expect.stringContaining('nosuch') })]);
    expect(open()).toBe(0);
    const watch = s.t.clusters.watch;
    s.t.clusters.watch = () => {
      throw new Error('the registry is down');
    };
    expect((await client.iterate({ query: SUBSCRIPTION }).next()).value?.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
    expect(open()).toBe(0);
    s.t.clusters.watch = watch;
    const subs = [1, 2, 3].map(() => client.iterate({ query: SUBSCRIPTION }));
    for (const sub of subs) expect((await sub.next()).value).toEqual(FIRST_EVENT);
    expect(open()).toBe(3);
    await client.dispose();
    await vi.waitFor(() => expect(open()).toBe(0));
  });
});
