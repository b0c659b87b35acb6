import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createCipher, randomKey, SecretDecryptionError, SecretKeyError } from '../../src/secrets/cipher.js';
import { secretKeyPath } from '../../src/secrets/key.js';
import { prepareSecrets } from '../../src/secrets/startup.js';
import { memoryLog, newApp, secretValue, settingsWith, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/** Starts as cairn does on `databasePath`: the key, then the repositories. */
function start(config: { databasePath: string; secretKey?: string; secretKeyFile?: string }) {
  const log = memoryLog();
  const database = openDatabase(config.databasePath);
  try {
    const cipher = prepareSecrets(config, database.db, log.logger);
    return { database, repos: createRepositories(database.db, { cipher }), log };
  } catch (error) {
    database.close();
    throw error;
  }
}

describe('the secret key at start', () => {
  it('first start: generates secret.key next to the database (0600, base64 of 32 bytes) and logs its path, never the key', () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const { database, log } = start({ databasePath });
    database.close();
    const file = join(dir, 'secret.key');
    expect(secretKeyPath({ databasePath })).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(Buffer.from(text.trim(), 'base64')).toHaveLength(32);
    const generated = log.lines().find((l) => l.msg.startsWith('first start: generated the key'));
    expect(generated?.file).toBe(file);
    expect(log.text()).not.toContain(text.trim());
  });

  it('the next start reads the same key: what the first start stored still decrypts', () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const value = secretValue('restart');
    const first = start({ databasePath });
    newApp(first.repos, 'shop', settingsWith([{ name: 'DB_PASSWORD', value, secret: true }]));
    first.database.close();
    const keyBefore = readFileSync(join(dir, 'secret.key'), 'utf8');

    const second = start({ databasePath });
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe(keyBefore);
    expect(second.log.text()).not.toContain('first start');
    expect(second.repos.configs.byEnvironmentIds([1])[0]?.settings.env).toEqual([{ name: 'DB_PASSWORD', value, secret: true }]);
    second.database.close();
  });

  it('uses CAIRN_SECRET_KEY when set (no key file is written), and the configured key file otherwise', () => {
    const dir = tempDir();
    const key = randomKey().toString('base64');
    const { database } = start({ databasePath: join(dir, 'cairn.db'), secretKey: key });
    database.close();
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);

    const keyFile = join(dir, 'keys', 'cairn.key');
    const other = start({ databasePath: join(dir, 'other.db'), secretKeyFile: keyFile });
    other.database.close();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  });

  it('refuses to start with a key that is not base64 or not 32 bytes, naming where it came from', () => {
    const dir = tempDir();
    expect(() => start({ databasePath: join(dir, 'cairn.db'), secretKey: 'not-a-valid-key!' })).toThrow(SecretKeyError);
    expect(() => start({ databasePath: join(dir, 'cairn.db'), secretKey: randomKey().subarray(0, 24).toString('base64') })).toThrow(
      /CAIRN_SECRET_KEY is 24 bytes long; it must be exactly 32 bytes/,
    );
    const file = join(dir, 'secret.key');
    writeFileSync(file, 'short\n', { mode: 0o600 });
    expect(() => start({ databasePath: join(dir, 'cairn.db') })).toThrow(`the secret key from the file ${file} is 3 bytes long`);
  });

  it('refuses to start with the wrong key for the stored secrets, and says so', () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const first = start({ databasePath, secretKey: randomKey().toString('base64') });
    newApp(first.repos, 'shop', settingsWith([{ name: 'API_KEY', value: secretValue('wrong-key'), secret: true }]));
    first.database.close();
    expect(() => start({ databasePath, secretKey: randomKey().toString('base64') })).toThrow(SecretDecryptionError);
    expect(() => start({ databasePath, secretKey: randomKey().toString('base64') })).toThrow(/the key is not the one that encrypted it/);
  });

  it('does not generate a new key over a database that holds encrypted secrets: it asks for the lost key', () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const first = start({ databasePath });
    newApp(first.repos, 'shop', settingsWith([{ name: 'API_KEY', value: secretValue('lost-key'), secret: true }]));
    first.database.close();
    const file = join(dir, 'secret.key');
    const key = readFileSync(file);
    writeFileSync(file, ''); // an emptied key file is no key
    expect(() => start({ databasePath })).toThrow(SecretKeyError);
    rmSync(file);
    expect(() => start({ databasePath })).toThrow(`the database holds encrypted secret values, but there is no secret key: neither CAIRN_SECRET_KEY is set nor does the key file ${file} exist`);
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, key, { mode: 0o600 });
    const restored = start({ databasePath });
    expect(restored.repos.configs.byEnvironmentIds([1])).toHaveLength(1);
    restored.database.close();
  });

  it('warns when the key file is readable by others', () => {
    const dir = tempDir();
    const file = join(dir, 'secret.key');
    writeFileSync(file, randomKey().toString('base64'));
    chmodSync(file, 0o644);
    const { database, log } = start({ databasePath: join(dir, 'cairn.db') });
    database.close();
    expect(log.lines().find((l) => l.msg.includes('readable by others'))).toMatchObject({ file, mode: '0644' });
  });

  it('a cipher from a random key works for in-memory tests', () => {
    const database = openDatabase(':memory:');
    const repos = createRepositories(database.db, { cipher: createCipher(randomKey()) });
    newApp(repos, 'mem', settingsWith([{ name: 'K', value: 'v', secret: true }]));
    expect(repos.configs.byEnvironmentIds([1])[0]?.settings.env[0]?.value).toBe('v');
    database.close();
  });
});
