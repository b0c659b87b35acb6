import { Writable } from 'node:stream';
import { createYoga } from 'graphql-yoga';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { createContextFactory } from '../../src/server/context-factory.js';
import { bearer, issueTestToken } from './auth.js';
import type { Context } from '../../src/schema/context.js';
import { schema } from '../../src/schema/index.js';
import { fakeClusters, startFakePodsApi, type FakePodsApi } from './fake-pods-api.js';

export const CLUSTERS = ['alpha', 'beta'] as const;

export interface GraphQLResponse {
  data?: Record<string, any> | null;
  errors?: { message: string; path?: (string | number)[] }[];
}

/** The API in-process (yoga.fetch) over a fresh in-memory database, two fake clusters and a log buffer. */
export interface TestApi {
  /** Runs one operation (as the admin token, unless `token` names another; null sends none) and returns the parsed response. */
  gql(query: string, variables?: Record<string, unknown>, options?: { token?: string | null }): Promise<GraphQLResponse>;
  /** The repositories (to issue tokens, read the audit trail …). */
  repos: Repositories;
  /** The statements compiled and executed on the database so far (see src/db/statement-cache.ts). */
  statements: OpenDatabase['statements'];
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

export async function createTestApi(overrides: Partial<Config> = {}, services: Pick<Context, 'releases'> = {}): Promise<TestApi> {
  const { db, sqlite, statements, close } = openDatabase(':memory:');
  const repos = createRepositories(db, { cipher: createCipher(randomKey()) });
  const pods = await startFakePodsApi();
  const config = loadConfig({}, { databasePath: ':memory:', logLevel: 'trace', ...overrides });
  const clusters = fakeClusters(CLUSTERS, pods);
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  let tick = Date.parse('2026-11-25T16:00:00Z');
  const contextFactory = createContextFactory({ config, logger, clusters, now: () => new Date((tick += 1000)), repos, ...services });
  const adminToken = issueTestToken(repos, { name: 'test-admin', admin: true });
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    context: ({ request }) => contextFactory({ headers: request.headers }),
    logging: {
      debug: (...args: unknown[]) => logger.debug({ args }, 'yoga'),
      info: (...args: unknown[]) => logger.info({ args }, 'yoga'),
      warn: (...args: unknown[]) => logger.warn({ args }, 'yoga'),
      error: (...args: unknown[]) => logger.error({ args }, 'yoga'),
    },
  });
  const tables = ['apps', 'environments', 'deployment_configs', 'templates'];
  return {
    async gql(query, variables, options = {}) {
      const token = options.token === undefined ? adminToken : options.token;
      const res = await yoga.fetch('http://cairn.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? bearer(token) : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse;
    },
    dump: () => JSON.stringify(Object.fromEntries(tables.map((t) => [t, sqlite.prepare(`SELECT * FROM ${t} ORDER BY id`).all()]))),
    logText: () => chunks.join(''),
    pods,
    config,
    repos,
    statements,
    adminToken,
    async close() {
      await pods.stop();
      close();
    },
  };
}

/** The `data` of a response, failing loudly on GraphQL errors. */
export function dataOf(res: GraphQLResponse): Record<string, any> {
  if (res.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(res.errors)}`);
  return res.data ?? {};
}
