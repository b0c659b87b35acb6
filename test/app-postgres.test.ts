/**
 * createCairn on PostgreSQL (CAIRN_DATABASE_URL, a fresh database: test/pg/pg-database.ts): it starts, serves
 * GraphQL over its HTTP server, and a second cairn on the same database — as a second replica, or the next
 * start — sees what the first wrote; one of them runs the release engine (the lease is a PostgreSQL row). The token command line works on the same database. A start that fails
 * after the database opened closes it again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { type Cairn, createCairn } from '../src/app.js';
import { runTokenCli } from '../src/cli/token-run.js';
import type { Config } from '../src/config.js';
import { SecretKeyError } from '../src/secrets/cipher.js';
import { startFakePodsApi, type FakePodsApi } from './helpers/fake-pods-api.js';
import { alwaysReachable, clusterSources, testConfig } from './helpers/cairn.js';
import { CREATE_APP } from './helpers/operations.js';
import { issueTestToken } from './helpers/auth.js';
import type { PgCluster } from './pg/pg-cluster.js';
import { startPgDatabase } from './pg/pg-database.js';
import { memoryLogger, sseEvents } from './server/helpers.js';

const ADMIN = 'cairn_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const APP = '{ apps { totalCount edges { node { name businessType environments { kind cluster { name } } } } } }';

describe('createCairn on PostgreSQL', () => {
  // Started at collection, awaited by beforeAll, stopped by afterAll even if it ends after the hook gave up (test/pg/pg-database.ts).
  const starting = startPgDatabase();
  starting.catch(() => undefined); // a failure is reported by beforeAll
  let cluster: PgCluster;
  let pods: FakePodsApi;
  const running: Cairn[] = [];
  let config: Config;

  beforeAll(async () => {
    cluster = await starting;
    pods = await startFakePodsApi();
    // The same secret key on every replica (CAIRN_SECRET_KEY), the first admin token given (CAIRN_ADMIN_TOKEN): nothing is written to disk.
    config = testConfig({ databaseUrl: cluster.url.replace('cairn@', 'cairn:not-checked@'), adminToken: ADMIN, logLevel: 'debug' });
  }, 120_000);
  afterAll(async () => {
    for (const cairn of running) await cairn.stop();
    await pods?.stop();
    await (await starting.catch(() => null))?.stop();
  });

  /** A cairn on the PostgreSQL database, started (its HTTP server on a free port). */
  async function replica(logs = memoryLogger()) {
    const cairn = await createCairn(config, {
      logger: logs.logger,
      kubeconfig: { documents: clusterSources(['alpha', 'beta'], pods.url) },
      testing: { check: alwaysReachable },
    });
    running.push(cairn);
    const { url } = await cairn.start();
    const gql = async (query: string, variables: Record<string, unknown> = {}, token = ADMIN) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    };
    return { cairn, url, gql, logs };
  }

  it('starts, creates an app through GraphQL and reads it back; a second cairn on the same database sees it', async () => {
    const first = await replica();
    expect(first.cairn.database.kind).toBe('postgres');
    // The log names the database without its password.
    expect(first.logs.lines().find((l) => l.msg === 'database open and migrated')).toMatchObject({ kind: 'postgres', databaseUrl: cluster.url });
    expect(first.logs.text()).not.toContain('not-checked');
    const ready = await fetch(new URL('/readyz', first.url));
    expect(ready.status).toBe(200);

    const created = await first.gql(CREATE_APP, { input: { name: 'pg-shop', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta' } });
    expect(created.errors, JSON.stringify(created.errors)).toBeUndefined();
    expect(created.data?.createApp.__typename).toBe('CreateAppPayload');
    const app = { name: 'pg-shop', businessType: 'ERP', environments: [{ kind: 'PRODUCTION', cluster: { name: 'alpha' } }, { kind: 'TEST', cluster: { name: 'beta' } }] };
    expect((await first.gql(APP)).data).toEqual({ apps: { totalCount: 1, edges: [{ node: app }] } });

    // Another replica (or the next start) on the same database: the same app, the same admin token, no second bootstrap.
    const second = await replica();
    expect((await second.gql(APP)).data).toEqual({ apps: { totalCount: 1, edges: [{ node: app }] } });
    // One engine: the first holds the lease, the second follows it (/readyz says so on both).
    const engineOf = async (url: string) => ((await (await fetch(new URL('/readyz', url))).json()) as { status: string; engine: { leader: boolean; holder: string; leaderHolder: string | null } });
    const [leading, following] = [await engineOf(first.url), await engineOf(second.url)];
    expect(leading).toMatchObject({ status: 'ready', engine: { leader: true } });
    expect(following).toMatchObject({ status: 'ready', engine: { leader: false, leaderHolder: leading.engine.holder } });
    expect(second.logs.text()).not.toContain('first start: created the admin API token');
    // What the second writes, the first reads.
    const renamed = await second.gql('mutation ($input: UpdateAppInput!) { updateApp(input: $input) { __typename } }', {
      input: { id: created.data!.createApp.app.id, description: 'written by the second replica' },
    });
    expect(renamed.data?.updateApp.__typename).toBe('UpdateAppPayload');
    expect((await first.gql('query ($id: ID!) { app(id: $id) { description } }', { id: created.data!.createApp.app.id })).data).toEqual({
      app: { description: 'written by the second replica' },
    });
  }, 60_000);

  it('the token command line creates a token on the same database, and every replica accepts it', async () => {
    expect(running).toHaveLength(2); // the replicas of the test above still run
    let stdout = '';
    let stderr = '';
    const code = await runTokenCli(['create', '--name', 'pg-cli-admin', '--admin'], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } }, {
      CAIRN_DATABASE_URL: cluster.url,
    });
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stderr).toContain(`in ${cluster.url}`);
    const secret = stdout.trim();
    for (const cairn of running) {
      const { url } = await cairn.start();
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ query: '{ viewer { name admin } }' }) });
      expect(await res.json()).toEqual({ data: { viewer: { name: 'pg-cli-admin', admin: true } } });
    }
  }, 60_000);

  it('a token revoked through one replica ends its subscription on the other (LISTEN/NOTIFY)', async () => {
    expect(running).toHaveLength(2);
    const [{ url: urlA }, { url: urlB }] = [await running[0]!.start(), await running[1]!.start()];
    const secret = await issueTestToken(running[0]!.repos, { name: 'pg-watcher', admin: false, grants: [] });
    const id = encodeGlobalID('ApiToken', String((await running[0]!.repos.tokens.byName('pg-watcher'))!.id));
    // Follows clusterUpdates over server-sent events on replica B; null once the stream completed.
    const response = await fetch(urlB, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: 'subscription { clusterUpdates { name } }' }),
    });
    const events = sseEvents(response.body!);
    const next = async (): Promise<{ name: string } | null> => {
      for (;;) {
        const { value, done } = await events.next();
        if (done || value.event === 'complete') return null;
        if (value.event === 'next') return (JSON.parse(value.data) as { data: { clusterUpdates: { name: string } } }).data.clusterUpdates;
      }
    };
    expect([await next(), await next()]).toEqual([{ name: 'alpha' }, { name: 'beta' }]);
    const revoked = await fetch(urlA, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN}` },
      body: JSON.stringify({ query: 'mutation ($id: ID!) { revokeApiToken(input: { id: $id }) { __typename } }', variables: { id } }),
    });
    expect(await revoked.json()).toEqual({ data: { revokeApiToken: { __typename: 'RevokeApiTokenPayload' } } });
    expect(await next()).toBeNull(); // replica B ended it when replica A's notification came
  }, 60_000);

  it('a token revoked with the command line ends its open subscription on a running replica at once', async () => {
    expect(running).toHaveLength(2);
    const { url } = await running[1]!.start();
    const secret = await issueTestToken(running[0]!.repos, { name: 'pg-cli-watched', admin: false, grants: [] });
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ query: 'subscription { clusterUpdates { name } }' }),
    });
    const events = sseEvents(response.body!);
    const next = async (): Promise<string | null> => {
      for (;;) {
        const { value, done } = await events.next();
        if (done || value.event === 'complete') return null;
        if (value.event === 'next') return (JSON.parse(value.data) as { data: { clusterUpdates: { name: string } } }).data.clusterUpdates.name;
      }
    };
    expect([await next(), await next()]).toEqual(['alpha', 'beta']);
    let stderr = '';
    const code = await runTokenCli(['revoke', '--name', 'pg-cli-watched'], { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) } }, { CAIRN_DATABASE_URL: cluster.url });
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(await next()).toBeNull(); // the replica ended it when the command's notification came
  }, 60_000);

  it('a start that fails after the database opened closes it again (no connection left behind)', async () => {
    const cairnConnections = async () => {
      const client = new pg.Client({ connectionString: cluster.url, application_name: 'cairn-test-probe' });
      await client.connect();
      try {
        const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'cairn' AND datname = current_database()");
        return rows[0]!.n;
      } finally {
        await client.end();
      }
    };
    /** The server drops a closed connection's backend a moment after the client ended it: asked again for up to 5 s. */
    const noneLeft = async () => {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const n = await cairnConnections();
        if (n === 0 || Date.now() > deadline) return n;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    for (const cairn of running.splice(0)) await cairn.stop();
    expect(await noneLeft()).toBe(0);
    // The database opens and migrates; then the secret key (not base64 of 32 bytes) fails the start.
    const logs = memoryLogger();
    await expect(createCairn({ ...config, secretKey: 'not-a-valid-key!' }, { logger: logs.logger, kubeconfig: { documents: [] } })).rejects.toThrow(SecretKeyError);
    expect(logs.lines().map((l) => l.msg)).toContain('database open and migrated');
    expect(await noneLeft()).toBe(0);
  }, 60_000);
});
