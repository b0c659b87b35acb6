import { appsRepository } from './apps-repository.js';
import { auditRepository } from './audit-repository.js';
import type { Db } from './client.js';
import { configsRepository } from './configs-repository.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { releasesRepository } from './releases-repository.js';
import { templatesRepository } from './templates-repository.js';
import { tokensRepository } from './tokens-repository.js';

/**
 * Every repository over one database, and `transaction` to make a mutation all-or-nothing.
 * `cipher` encrypts secret env values on write and decrypts them on read (src/secrets): get it
 * from `prepareSecrets` at start (tests may use `createCipher(randomKey())`).
 */
export function createRepositories(db: Db, { cipher }: { cipher: SecretCipher }) {
  return {
    apps: appsRepository(db, cipher),
    configs: configsRepository(db, cipher),
    templates: templatesRepository(db, cipher),
    /** Revisions, release orders, their transitions and instance failures. */
    releases: releasesRepository(db, cipher),
    /** API tokens and app members. */
    tokens: tokensRepository(db),
    /** The audit trail: every mutation and remote-login command. */
    audit: auditRepository(db, cipher),
    /**
     * Runs `fn` in one SQLite transaction: it applies fully or, when it throws, not at all. IMMEDIATE: the write
     * lock is taken at the start (waiting up to the busy timeout), so a read-then-write transaction cannot fail
     * with a stale snapshot when another process on the same file (a second cairn) committed meanwhile.
     */
    transaction<T>(fn: () => T): T {
      return db.transaction(() => fn(), { behavior: 'immediate' });
    },
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
