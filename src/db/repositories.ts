import { appsRepository } from './apps-repository.js';
import type { Db } from './client.js';
import { configsRepository } from './configs-repository.js';
import { releasesRepository } from './releases-repository.js';
import { templatesRepository } from './templates-repository.js';
import { tokensRepository } from './tokens-repository.js';

/** Every repository over one database, and `transaction` to make a mutation all-or-nothing. */
export function createRepositories(db: Db) {
  return {
    apps: appsRepository(db),
    configs: configsRepository(db),
    templates: templatesRepository(db),
    /** Revisions, release orders, their transitions and instance failures. */
    releases: releasesRepository(db),
    /** API tokens and app members. */
    tokens: tokensRepository(db),
    /** Runs `fn` in one SQLite transaction: it applies fully or, when it throws, not at all. */
    transaction<T>(fn: () => T): T {
      return db.transaction(() => fn());
    },
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
