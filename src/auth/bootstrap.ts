import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Repositories } from '../db/repositories.js';
import { AlreadyExistsError } from '../domain/errors.js';
import { issueToken } from './tokens.js';

/** The name of the token the first start creates. */
export const BOOTSTRAP_ADMIN = 'admin';

/** Where the first start writes the admin token: the configured file, else `admin-token` next to the database. */
export function adminTokenPath(config: Pick<Config, 'adminTokenFile' | 'databasePath'>): string {
  return resolve(config.adminTokenFile ?? join(dirname(resolve(config.databasePath)), 'admin-token'));
}

/**
 * On the very first start (no token in the database), creates the admin token: with the secret
 * given in CAIRN_ADMIN_TOKEN (nothing written), else a generated one written to a file only its
 * owner can read (0600). The log names the file, never the token. Returns the file's path when it
 * wrote one.
 */
export async function ensureAdminToken(repos: Repositories, config: Pick<Config, 'adminTokenFile' | 'databasePath' | 'adminToken'>, logger: Logger, now: Date): Promise<string | null> {
  if ((await repos.tokens.count()) > 0) {
    if (config.adminToken) logger.info('CAIRN_ADMIN_TOKEN is used on the first start only: the database already holds tokens');
    return null;
  }
  // Replicas starting together on an empty PostgreSQL database both find no token: one creates it, the other's
  // insert is refused by the unique name (or its transaction fails to serialize and, run again, finds it taken).
  const createdElsewhere = (error: unknown): boolean => {
    if (!(isUniqueViolation(error) || error instanceof AlreadyExistsError)) return false;
    logger.info('first start: another replica created the admin API token at the same moment');
    return true;
  };
  if (config.adminToken) {
    try {
      await issueToken(repos, { name: BOOTSTRAP_ADMIN, admin: true, grants: [], expiresAt: null }, 'cairn (first start)', now, config.adminToken);
    } catch (error) {
      if (createdElsewhere(error)) return null;
      throw error;
    }
    logger.warn('first start: created the admin API token with the secret given in CAIRN_ADMIN_TOKEN');
    return null;
  }
  const file = adminTokenPath(config);
  let secret: string;
  try {
    ({ secret } = await issueToken(repos, { name: BOOTSTRAP_ADMIN, admin: true, grants: [], expiresAt: null }, 'cairn (first start)', now));
  } catch (error) {
    if (createdElsewhere(error)) return null;
    throw error;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its mode on write: make sure
  logger.warn({ file }, 'first start: created the admin API token and wrote it to this file (readable by its owner only); use it as "Authorization: Bearer <token>"');
  return file;
}
