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
async function start(config: { databasePath: string; secretKey?: string; secretKeyFile?: string }) {
  const log = memoryLog();
  const database = openDatabase(config.databasePath);
  try {
    const cipher = await prepareSecrets(config, database, log.logger);
    return { database, repos: createRepositories(database, { cipher }), log };
  } catch (error) {
    await database.close();
    throw error;
  }
}

describe('the secret key at start', () => {
  it('first start: generates secret.key next to the database (0600, base64 of 32 bytes) and logs its path, never the key', async () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const { database, log } = await start({ databasePath });
    await database.close();
    const file = join(dir, 'secret.key');
    expect(secretKeyPath({ databasePath })).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(Buffer.from(text.trim(), 'base64')).toHaveLength(32);
    const generated = log.lines().find((l) => l.msg.startsWith('first start: generated the key'));
    expect(generated?.file).toBe(file);
    expect(log.text()).not.toContain(text.trim());
  });

  it('the next start reads the same key: what the first start stored still decrypts', async () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const value = secretValue('restart');
    const first = await start({ databasePath });
    await newApp(first.repos, 'shop', settingsWith([{ name: 'DB_PASSWORD', value, secret: true }]));
    await first.database.close();
    const keyBefore = readFileSync(join(dir, 'secret.key'), 'utf8');

    const second = await start({ databasePath });
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe(keyBefore);
    expect(second.log.text()).not.toContain('first start');
    expect((await second.repos.configs.byEnvironmentIds([1]))[0]?.settings.env).toEqual([{ name: 'DB_PASSWORD', value, secret: true }]);
    await second.database.close();
  });

  it('uses CAIRN_SECRET_KEY when set (no key file is written), and the configured key file otherwise', async () => {
    const dir = tempDir();
    const key = randomKey().toString('base64');
    const { database } = await start({ databasePath: join(dir, 'cairn.db'), secretKey: key });
    await database.close();
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);

    const keyFile = join(dir, 'keys', 'cairn.key');
    const other = await start({ databasePath: join(dir, 'other.db'), secretKeyFile: keyFile });
    await other.database.close();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  });

  it('refuses to start with a key that is not base64 or not 32 bytes, naming where it came from', async () => {
    const dir = tempDir();
    await expect(start({ databasePath: join(dir, 'cairn.db'), secretKey: 'not-a-valid-key!' })).rejects.toThrow(SecretKeyError);
    await expect(start({ databasePath: join(dir, 'cairn.db'), secretKey: randomKey().subarray(0, 24).toString('base64') })).rejects.toThrow(
      /CAIRN_SECRET_KEY is 24 bytes long; it must be exactly 32 bytes/,
    );
    const file = join(dir, 'secret.key');
    writeFileSync(file, 'short\n', { mode: 0o600 });
    await expect(start({ databasePath: join(dir, 'cairn.db') })).rejects.toThrow(`the secret key from the file ${file} is 3 bytes long`);
  });

  it('refuses to start with the wrong key for the stored secrets, and says so', async () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const first = await start({ databasePath, secretKey: randomKey().toString('base64') });
    await newApp(first.repos, 'shop', settingsWith([{ name: 'API_KEY', value: secretValue('wrong-key'), secret: true }]));
    await first.database.close();
    await expect(start({ databasePath, secretKey: randomKey().toString('base64') })).rejects.toThrow(SecretDecryptionError);
    await expect(start({ databasePath, secretKey: randomKey().toString('base64') })).rejects.toThrow(/the key is not the one that encrypted it/);
  });

  it('does not generate a new key over a database that holds encrypted secrets: it asks for the lost key', async () => {
    const dir = tempDir();
    const databasePath = join(dir, 'cairn.db');
    const first = await start({ databasePath });
    await newApp(first.repos, 'shop', settingsWith([{ name: 'API_KEY', value: secretValue('lost-key'), secret: true }]));
    await first.database.close();
    const file = join(dir, 'secret.key');
    const key = readFileSync(file);
    writeFileSync(file, ''); // an emptied key file is no key
    await expect(start({ databasePath })).rejects.toThrow(SecretKeyError);
    rmSync(file);
    await expect(start({ databasePath })).rejects.toThrow(`the database holds encrypted secret values, but there is no secret key: neither CAIRN_SECRET_KEY is set nor does the key file ${file} exist`);
    expect(existsSync(file)).toBe(false);
    writeFileSync(file, key, { mode: 0o600 });
    const restored = await start({ databasePath });
    expect(await restored.repos.configs.byEnvironmentIds([1])).toHaveLength(1);
    await restored.database.close();
  });

  it('warns when the key file is readable by others', async () => {
    const dir = tempDir();
    const file = join(dir, 'secret.key');
    writeFileSync(file, randomKey().toString('base64'));
    chmodSync(file, 0o644);
    const { database, log } = await start({ databasePath: join(dir, 'cairn.db') });
    await database.close();
    expect(log.lines().find((l) => l.msg.includes('readable by others'))).toMatchObject({ file, mode: '0644' });
  });

  it('a cipher from a random key works for in-memory tests', async () => {
    const database = openDatabase(':memory:');
    const repos = createRepositories(database, { cipher: createCipher(randomKey()) });
    await newApp(repos, 'mem', settingsWith([{ name: 'K', value: 'v', secret: true }]));
    expect((await repos.configs.byEnvironmentIds([1]))[0]?.settings.env[0]?.value).toBe('v');
    await database.close();
  });
});
