import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createCipher, ENCRYPTED_PREFIX, randomKey, SecretDecryptionError } from '../../src/secrets/cipher.js';
import { newApp, secretValue, settingsWith } from './helpers.js';

const opened: OpenDatabase[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
});

function fresh() {
  const database = openDatabase(':memory:');
  opened.push(database);
  const cipher = createCipher(randomKey());
  return { database, cipher, repos: createRepositories(database.db, { cipher }) };
}

/** The stored `settings` JSON of every row of a table, as SQLite holds it. */
const rawSettings = (database: OpenDatabase, table: string) =>
  (database.sqlite.prepare(`SELECT settings FROM ${table} ORDER BY id`).all() as Array<{ settings: string }>).map((r) => r.settings);

const storedEnv = (json: string) => (JSON.parse(json) as { env: Array<{ name: string; value: string; secret: boolean }> }).env;

describe('repositories encrypt secret env values on write and decrypt them on read', () => {
  it('drafts: apps.create and configs.update store only ciphertext; every read gives plain text', () => {
    const { database, repos } = fresh();
    const secret = secretValue('draft');
    const env = [
      { name: 'DB_PASSWORD', value: secret, secret: true },
      { name: 'LOG_LEVEL', value: 'debug', secret: false },
    ];
    newApp(repos, 'shop', settingsWith(env));
    for (const json of rawSettings(database, 'deployment_configs')) {
      expect(json).not.toContain(secret);
      const [password, level] = storedEnv(json);
      expect(password!.value.startsWith(ENCRYPTED_PREFIX)).toBe(true);
      expect(level).toEqual({ name: 'LOG_LEVEL', value: 'debug', secret: false }); // plain values stay readable
    }
    expect(repos.configs.byEnvironmentIds([1, 2]).map((r) => r.settings.env)).toEqual([env, env]);
    expect(repos.configs.byIds([1])[0]!.settings.env).toEqual(env);
    const row = repos.configs.byEnvironmentId(1)!;
    expect(row.settings.env).toEqual(env);

    const rotated = secretValue('rotated');
    const updated = repos.configs.update(row.id, row.version, { settings: settingsWith([{ name: 'DB_PASSWORD', value: rotated, secret: true }]) }, new Date());
    expect(updated!.settings.env[0]!.value).toBe(rotated);
    const json = rawSettings(database, 'deployment_configs')[0]!;
    expect(json).not.toContain(rotated);
    expect(json).not.toContain(secret);
    expect(repos.configs.byEnvironmentId(1)!.settings.env[0]!.value).toBe(rotated);
    // a stale write changes nothing and returns nothing
    expect(repos.configs.update(row.id, row.version, { imageTag: '9' }, new Date())).toBeUndefined();
  });

  it('templates: create, byName, byIds, list and rename', () => {
    const { database, repos } = fresh();
    const secret = secretValue('template');
    const env = [{ name: 'TOKEN', value: secret, secret: true }];
    const created = repos.templates.create('base', settingsWith(env), null, new Date());
    expect(created.settings.env).toEqual(env);
    expect(rawSettings(database, 'templates')[0]).not.toContain(secret);
    expect(repos.templates.byName('base')!.settings.env).toEqual(env);
    expect(repos.templates.byIds([created.id])[0]!.settings.env).toEqual(env);
    expect(repos.templates.list(0, 10)[0]!.settings.env).toEqual(env);
    expect(repos.templates.rename(created.id, 'renamed', new Date())!.settings.env).toEqual(env);
  });

  it('revisions: createRevision, revision, revisionsByIds and revisionsOf', () => {
    const { database, repos } = fresh();
    const secret = secretValue('revision');
    const env = [{ name: 'API_KEY', value: secret, secret: true }];
    newApp(repos, 'shop', settingsWith([]));
    const revision = repos.transaction(() =>
      repos.releases.createRevision({ environmentId: 1, image: 'nginx:1.25', imageTag: '1.25', settings: settingsWith(env), createdBy: 'test' }, new Date()),
    );
    expect(revision.settings.env).toEqual(env);
    expect(rawSettings(database, 'revisions')[0]).not.toContain(secret);
    expect(repos.releases.revision(1, revision.number)!.settings.env).toEqual(env);
    expect(repos.releases.revisionsByIds([revision.id])[0]!.settings.env).toEqual(env);
    expect(repos.releases.revisionsOf(1, 0, 10)[0]!.settings.env).toEqual(env);
  });

  it('an empty secret value is encrypted too (it still reads as empty)', () => {
    const { database, repos } = fresh();
    newApp(repos, 'shop', settingsWith([{ name: 'EMPTY', value: '', secret: true }]));
    expect(storedEnv(rawSettings(database, 'deployment_configs')[0]!)[0]!.value.startsWith(ENCRYPTED_PREFIX)).toBe(true);
    expect(repos.configs.byEnvironmentId(1)!.settings.env[0]!.value).toBe('');
  });

  it('a row encrypted with another key fails to read with a clear error instead of returning garbage', () => {
    const { database, repos } = fresh();
    newApp(repos, 'shop', settingsWith([{ name: 'K', value: secretValue('other'), secret: true }]));
    const otherKey = createRepositories(database.db, { cipher: createCipher(randomKey()) });
    expect(() => otherKey.configs.byEnvironmentId(1)).toThrow(SecretDecryptionError);
    // rows without secrets need no key at all
    expect(otherKey.apps.byName('shop')?.name).toBe('shop');
  });
});
