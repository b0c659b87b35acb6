/**
 * A use case's world without GraphQL: a fresh migrated database (of each kind cairn serves, see
 * test/db/each-database.ts), a fixed clock, a silent log, two clusters and a caller.
 */
import { pino } from 'pino';
import type { Viewer } from '../../src/auth/roles.js';
import type { AppRoleName } from '../../src/db/auth-tables.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import type { ClusterInfo } from '../../src/kube/types.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { createApp } from '../../src/usecases/apps.js';
import { describeEachDatabase, type DatabaseUnderTest } from '../db/each-database.js';

export const NOW = new Date('2026-12-01T10:00:00Z');

export const CLUSTERS = ['alpha', 'beta'];

/** A caller: an admin, or a token with these roles (by app ID). */
export function viewer(admin: boolean, roles: [number, AppRoleName][] = []): Viewer {
  return { tokenId: 1, name: admin ? 'root' : 'dev', admin, roles: new Map(roles) };
}

/**
 * Runs a file's use-case suite on SQLite (in memory) and on PostgreSQL: the same rules, errors and writes on both.
 * (The file-backed SQLite differs from the in-memory one only below the repositories: test/db covers it.)
 */
export function describeUseCases(name: string, suite: (target: DatabaseUnderTest) => void): void {
  describeEachDatabase(name, suite, ['sqlite-memory', 'postgres']);
}

/** Everything the use cases may take, over a fresh database of `target`'s kind (closed after the test); `viewer` is an admin unless replaced. */
export async function world(target: DatabaseUnderTest) {
  const database = await target.open();
  const repos: Repositories = createRepositories(database, { cipher: createCipher(randomKey()) });
  const logged: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) });
  return {
    repos,
    /** The database under the repositories (to ask whether a call came inside a transaction). */
    database,
    now: () => NOW,
    logger,
    /** The messages logged so far. */
    logged,
    viewer: viewer(true) as Viewer | undefined,
    config: { businessTypes: ['ERP', 'CRM'], maxInstances: 10, hostPathPrefixes: ['/var/log/cairn'] },
    clusters: { get: (name: string) => (CLUSTERS.includes(name) ? ({ name } as ClusterInfo) : undefined) },
  };
}

export type World = Awaited<ReturnType<typeof world>>;

/** Creates an app (nginx drafts) and returns it with its production and test environments. */
export async function appIn(w: World, name = 'shop') {
  const app = await createApp(w, { name, businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', officialImage: 'NGINX' });
  const [production, test] = await w.repos.apps.environmentsOfApps([app.id]);
  return { app, production: production!, test: test! };
}

/** An API token (not an admin) named `name`. */
export function tokenIn(repos: Repositories, name: string) {
  return repos.tokens.create({ name, admin: false, grants: [], expiresAt: null, createdBy: 'root', secretHash: `hash-${name}`, prefix: name.slice(0, 8) }, NOW);
}

/** Rejects with what `fn` throws (sync or async), for assertions on typed errors. */
export async function thrown(fn: () => unknown): Promise<any> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
