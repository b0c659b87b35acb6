import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import { createCipher, SecretKeyError, type SecretCipher } from './cipher.js';
import { generateKeyFile, readConfiguredKey, secretKeyPath, type KeyConfig } from './key.js';
import { encryptPlaintextSecrets, someEncryptedSecret } from './stored.js';

/**
 * At start, before the repositories: loads the secret key (CAIRN_SECRET_KEY, else the key file,
 * else — only while the database holds no encrypted secret — generates the key file, 0600), checks
 * that it decrypts what the database holds, and encrypts any secret a database from before
 * encryption at rest still holds in plain text. The log names the key file, never the key.
 * Throws SecretKeyError or SecretDecryptionError with a message that says what to do.
 */
export async function prepareSecrets(config: KeyConfig, database: Database, logger: Logger): Promise<SecretCipher> {
  const stored = await someEncryptedSecret(database);
  let loaded = readConfiguredKey(config);
  if (!loaded) {
    const file = secretKeyPath(config);
    if (stored !== undefined) {
      throw new SecretKeyError(
        `the database holds encrypted secret values, but there is no secret key: neither CAIRN_SECRET_KEY is set nor does the key file ${file} exist. Restore the key that encrypted them (set CAIRN_SECRET_KEY or put the file back).`,
      );
    }
    loaded = { key: generateKeyFile(file), source: file };
    logger.warn({ file }, 'first start: generated the key that encrypts secret values at rest and wrote it to this file (readable by its owner only); back it up: without it, stored secrets cannot be read');
    if (database.kind === 'postgres') {
      // Replicas on other machines would each generate a key of their own, and read none of each other's secrets.
      logger.warn({ file }, 'several cairn replicas on one PostgreSQL database must share one secret key: give each the same CAIRN_SECRET_KEY (e.g. from a Kubernetes Secret)');
    }
  } else if (loaded.looseMode !== undefined) {
    logger.warn({ file: loaded.source, mode: `0${loaded.looseMode.toString(8)}` }, 'the secret key file is readable by others than its owner: chmod 600 it');
  }
  const cipher = createCipher(loaded.key);
  if (stored !== undefined) cipher.decrypt(stored); // a wrong key fails here, at start, with a clear message
  const migrated = await encryptPlaintextSecrets(database, cipher);
  if (migrated > 0) logger.info({ rows: migrated }, 'encrypted the secret values stored in plain text before encryption at rest');
  logger.info({ source: loaded.source }, 'secret values are encrypted at rest');
  return cipher;
}
