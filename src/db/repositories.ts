import { appsRepository } from './apps-repository.js';
import { auditRepository } from './audit-repository.js';
import { configsRepository } from './configs-repository.js';
import type { Database } from './database.js';
import type { SecretCipher } from '../domain/secret-values.js';
import { releasesRepository } from './releases-repository.js';
import { templatesRepository } from './templates-repository.js';
import { tokensRepository } from './tokens-repository.js';

/**
 * Every repository over one database (SQLite or PostgreSQL: the same code), and `transaction` to make a
 * mutation all-or-nothing. Every method answers a promise. Transactions are ambient (src/db/database.ts): inside
 * `transaction(fn)`, every repository call of the flow runs in it — no handle is passed down.
 * `cipher` encrypts secret env values on write and decrypts them on read (src/secrets): get it
 * from `prepareSecrets` at start (tests may use `createCipher(randomKey())`).
 */
export function createRepositories(database: Database, { cipher }: { cipher: SecretCipher }) {
  return {
    apps: appsRepository(database, cipher),
    configs: configsRepository(database, cipher),
    templates: templatesRepository(database, cipher),
    /** Revisions, release orders, their transitions and instance failures. */
    releases: releasesRepository(database, cipher),
    /** API tokens and app members. */
    tokens: tokensRepository(database),
    /** The audit trail: every mutation and remote-login command. */
    audit: auditRepository(database, cipher),
    /**
     * Runs `fn` all-or-nothing: it applies fully or, when it throws, not at all. On SQLite the write lock is taken
     * at the start (BEGIN IMMEDIATE, one transaction at a time); on PostgreSQL it is SERIALIZABLE and run again
     * when it fails to serialize — so `fn` must only touch the database.
     */
    transaction<T>(fn: () => Promise<T>): Promise<T> {
      return database.transaction(fn);
    },
  };
}

export type Repositories = ReturnType<typeof createRepositories>;
