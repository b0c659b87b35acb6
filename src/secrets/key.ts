import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import { parseKey, randomKey } from './cipher.js';

export type KeyConfig = Pick<Config, 'secretKey' | 'secretKeyFile' | 'databasePath'>;

/** Where the secret key file is: the configured file, else `secret.key` next to the database file. */
export function secretKeyPath(config: KeyConfig): string {
  return resolve(config.secretKeyFile ?? join(dirname(resolve(config.databasePath)), 'secret.key'));
}

/** A key and where it came from (for messages; never the key itself). */
export interface LoadedKey {
  key: Buffer;
  source: string;
  /** Set when the key file is readable by others than its owner. */
  looseMode?: number;
}

/**
 * The configured key: `secretKey` (CAIRN_SECRET_KEY) when set, else the key file's content when it
 * exists, else null. Throws SecretKeyError for a key that is not base64 of 32 bytes.
 */
export function readConfiguredKey(config: KeyConfig): LoadedKey | null {
  if (config.secretKey !== undefined) return { key: parseKey(config.secretKey, 'CAIRN_SECRET_KEY'), source: 'CAIRN_SECRET_KEY' };
  const file = secretKeyPath(config);
  if (!existsSync(file)) return null;
  const key = parseKey(readFileSync(file, 'utf8'), `the file ${file}`);
  const mode = statSync(file).mode & 0o777;
  return { key, source: file, ...(mode & 0o077 ? { looseMode: mode } : {}) };
}

/** Generates a random key into `file`, readable by its owner only (0600); fails if the file appeared meanwhile. */
export function generateKeyFile(file: string): Buffer {
  const key = randomKey();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600); // the umask may have narrowed or widened nothing, but be sure
  return key;
}
