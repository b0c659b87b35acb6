import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseBusyError } from '../../../src/db/database.js';
import type { ClusterInfo } from '../../../src/kube/types.js';
import { bearer } from '../../helpers/auth.js';
import { sseEvents } from '../helpers.js';
import { limitsServer, type LimitsServer } from './limits-helpers.js';

// An unexpected error (a bug, a failing dependency) reaches the client as "Unexpected error." with
// no stack and no internal message, over HTTP, SSE and graphql-ws alike; the log has the cause.

const SECRET = 'db password hunter2 at /srv/internal/path.ts:42';

let s: LimitsServer;
afterEach(async () => {
  await s?.close();
});

/** The error lines in the log that carry the cause. */
const loggedCauses = () => s.t.logs.lines().filter((l) => l.level === 50 && JSON.stringify(l).includes(SECRET));

function expectMasked(errors: unknown) {
  expect(errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
  expect(JSON.stringify(errors)).not.toContain(SECRET);
  expect(JSON.stringify(errors)).not.toMatch(/stack|\.ts:\d+/);
}

/** Opens an SSE subscription and returns its events' data until the stream ends. */
async function sseResults(query: string): Promise<any[]> {
  const response = await fetch(s.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...bearer(s.t.adminToken) },
    body: JSON.stringify({ query }),
  });
  expect(JSON.stringify([...response.headers])).not.toContain(SECRET);
  const results = [];
  for await (const event of sseEvents(response.body!)) {
    expect(event.data).not.toContain(SECRET);
    if (event.event === 'next') results.push(JSON.parse(event.data));
    if (event.event === 'complete') break;
  }
  return results;
}

describe('masked unexpected errors', () => {
  it('a query whose resolver throws: HTTP and graphql-ws answer "Unexpected error."; the log has the cause', async () => {
    s = await limitsServer();
    s.t.clusters.list = () => {
      throw new Error(SECRET);
    };
    const http = await s.post({ query: '{ clusters { name } }' });
    expect(JSON.stringify(http)).not.toContain(SECRET);
    expectMasked(http.body.errors);

    const ws = await s.ws().iterate({ query: '{ clusters { name } }' }).next();
    expectMasked(ws.value?.errors);
    expect(loggedCauses().length).toBeGreaterThanOrEqual(2);
  });

  it('a busy database is no bug: DATABASE_BUSY with a retry hint and where it happened, nothing internal, logged as a warning', async () => {
    s = await limitsServer();
    s.t.clusters.list = () => {
      throw new DatabaseBusyError(SECRET);
    };
    for (const errors of [(await s.post({ query: '{ clusters { name } }' })).body.errors, (await s.ws().iterate({ query: '{ clusters { name } }' }).next()).value?.errors]) {
      expect(errors).toEqual([
        expect.objectContaining({
          message: 'The database is busy with other writes: nothing was changed; retry in 1 s.',
          path: ['clusters'],
          extensions: { code: 'DATABASE_BUSY', retryAfterSeconds: 1 },
        }),
      ]);
      expect(JSON.stringify(errors)).not.toContain(SECRET);
    }
    expect(loggedCauses()).toEqual([]);
    expect(s.t.logs.lines().filter((l) => l.level === 40 && JSON.stringify(l).includes(SECRET))).toHaveLength(2);
  });

  it('a subscription that fails to start: SSE and graphql-ws answer "Unexpected error."', async () => {
    s = await limitsServer();
    s.t.clusters.watch = () => {
      throw new Error(SECRET);
    };
    const sse = await sseResults('subscription { clusterUpdates { name } }');
    expect(sse).toHaveLength(1);
    expectMasked(sse[0].errors);

    const ws = await s.ws().iterate({ query: 'subscription { clusterUpdates { name } }' }).next();
    expectMasked(ws.value?.errors);
    expect(loggedCauses().length).toBeGreaterThanOrEqual(2);
  });

  it('a subscription whose resolver throws on an event: SSE and graphql-ws answer "Unexpected error." for that event', async () => {
    s = await limitsServer();
    const broken = { get name(): string { throw new Error(SECRET); } } as unknown as ClusterInfo;
    s.t.clusters.watch = () => (async function* () { yield broken; })();
    const sse = await sseResults('subscription { clusterUpdates { name } }');
    expect(sse).toHaveLength(1);
    expectMasked(sse[0].errors);

    const ws = await s.ws().iterate({ query: 'subscription { clusterUpdates { name } }' }).next();
    expectMasked(ws.value?.errors);
    expect(loggedCauses().length).toBeGreaterThanOrEqual(2);
  });

  it('a subscription whose event stream fails after its first event: SSE and graphql-ws end it with "Unexpected error."', async () => {
    s = await limitsServer();
    const alpha = s.t.clusters.list()[0]!;
    s.t.clusters.watch = () =>
      (async function* () {
        yield alpha;
        throw new Error(SECRET);
      })();
    const sse = await sseResults('subscription { clusterUpdates { name } }');
    expect(sse[0]).toEqual({ data: { clusterUpdates: { name: 'alpha' } } });
    expect(sse).toHaveLength(2);
    expectMasked(sse[1].errors);

    const events = s.ws().iterate({ query: 'subscription { clusterUpdates { name } }' });
    expect((await events.next()).value).toEqual({ data: { clusterUpdates: { name: 'alpha' } } });
    const failure = await events.next().then((r) => r.value?.errors, (errors: unknown) => errors);
    expectMasked(failure);
    expect(loggedCauses().length).toBeGreaterThanOrEqual(2);
  });
});
