import { Writable } from 'node:stream';
import { createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { createCairn } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { OpenDatabase } from '../../src/db/client.js';
import type { Repositories } from '../../src/db/repositories.js';
import { bearer, issueTestToken } from './auth.js';
import { alwaysReachable, clusterSources, testConfig } from './cairn.js';
import type { Context } from '../../src/schema/context.js';
import { schema } from '../../src/schema/index.js';
import { startFakePodsApi, type FakePodsApi } from './fake-pods-api.js';

export const CLUSTERS = ['alpha', 'beta'] as const;

export interface GraphQLResponse {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[] }[];
}

/**
 * The API in-process (yoga.fetch, without the server's limits) of a cairn over a fresh in-memory database, two fake
 * clusters and a log buffer. The release engine does not run (the fake clusters cannot run an order): a wake only
 * tells the order's followers.
 */
export interface TestApi {
  /** The statements compiled and executed on the database so far (see src/db/statement-cache.ts). */
  statements: OpenDatabase['statements'];
  /** Runs one operation (as the admin token, unless `token` names another; null sends none) and returns the parsed response. */
  gql(query: string, variables?: Record<string, unknown>, options?: { token?: string | null }): Promise<GraphQLResponse>;
  /** The repositories (to issue tokens, read the audit trail …). */
  repos: Repositories;
  /** The secret of the admin token every `gql` call sends by default. */
  adminToken: string;
  /** Every row of every table, as JSON: compare before/after to prove nothing changed. */
  dump(): string;
  /** Everything that was logged (pino JSON lines, yoga's own logging included). */
  logText(): string;
  pods: FakePodsApi;
  config: Config;
  close(): Promise<void>;
}

export async function createTestApi(overrides: Partial<Config> = {}, services: Partial<Pick<Context, 'releases' | 'terminals'>> = {}): Promise<TestApi> {
  const pods = await startFakePodsApi();
  const config = testConfig({ logLevel: 'trace', ...overrides });
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  let tick = Date.parse('2026-11-25T16:00:00Z');
  const cairn = await createCairn(config, {
    logger,
    now: () => new Date((tick += 1000)),
    kubeconfig: { documents: clusterSources(CLUSTERS, pods.url) },
    testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false, ...services },
  });
  await cairn.start();
  const { repos } = cairn;
  const adminToken = await issueTestToken(repos, { name: 'test-admin', admin: true });
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: ({ request }) => cairn.contextFactory({ headers: request.headers }),
    logging: {
      debug: (...args: unknown[]) => logger.debug({ args }, 'yoga'),
      info: (...args: unknown[]) => logger.info({ args }, 'yoga'),
      warn: (...args: unknown[]) => logger.warn({ args }, 'yoga'),
      error: (...args: unknown[]) => logger.error({ args }, 'yoga'),
    },
  });
  const tables = ['apps', 'environments', 'deployment_configs', 'templates'];
  return {
    statements: cairn.database.statements,
    async gql(query, variables, options = {}) {
      const token = options.token === undefined ? adminToken : options.token;
      const res = await yoga.fetch('http://cairn.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    },
    dump: () => JSON.stringify(Object.fromEntries(tables.map((t) => [t, cairn.database.sqlite!.prepare(`SELECT * FROM ${t} ORDER BY id`).all()]))),
    logText: () => chunks.join(''),
    pods,
    config,
    repos,
    adminToken,
    async close() {
      await cairn.stop();
      await pods.stop();
    },
  };
}

/** The `data` of a response, failing loudly on GraphQL errors. */
export function dataOf(res: GraphQLResponse): Record<string, any> {
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data ?? {};
}
