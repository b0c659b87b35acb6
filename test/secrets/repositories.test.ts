import { expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createCipher, ENCRYPTED_PREFIX, randomKey, SecretDecryptionError } from '../../src/secrets/cipher.js';
import { describeEachDatabase, rawRows } from '../db/each-database.js';
import { newApp, secretValue, settingsWith } from './helpers.js';

/** The stored `settings` JSON of every row of a table, as the database holds it (SQLite's text, PostgreSQL's jsonb as text). */
const rawSettings = async (database: Database, table: string) =>
  (await rawRows<{ settings: string }>(database, `SELECT ${database.kind === 'postgres' ? 'settings::text' : 'settings'} AS settings FROM ${table} ORDER BY id`)).map((r) => r.settings);

const storedEnv = (json: string) => (JSON.parse(json) as { env: Array<{ name: string; value: string; secret: boolean }> }).env;

describeEachDatabase('repositories encrypt secret env values on write and decrypt them on read', (target) => {
  async function fresh() {
    const database = await target.open();
    const cipher = createCipher(randomKey());
    return { database, cipher, repos: createRepositories(database, { cipher }) };
  }

  it('drafts: apps.create and configs.update store only ciphertext; every read gives plain text', async () => {
    const { database, repos } = await fresh();
    const secret = secretValue('draft');
    const env = [
      { name: 'DB_PASSWORD', value: secret, secret: true },
      { name: 'LOG_LEVEL', value: 'debug', secret: false },
    ];
    await newApp(repos, 'shop', settingsWith(env));
    for (const json of await rawSettings(database, 'deployment_configs')) {
      expect(json).not.toContain(secret);
      const [password, level] = storedEnv(json);
      expect(password!.value.startsWith(ENCRYPTED_PREFIX)).toBe(true);
      expect(level).toEqual({ name: 'LOG_LEVEL', value: 'debug', secret: false }); // plain values stay readable
    }
    expect((await repos.configs.byEnvironmentIds([1, 2])).map((r) => r.settings.env)).toEqual([env, env]);
    expect((await repos.configs.byIds([1]))[0]!.settings.env).toEqual(env);
    const row = (await repos.configs.byEnvironmentId(1))!;
    expect(row.settings.env).toEqual(env);
    expect(row.settings).toEqual(settingsWith(env)); // the whole settings object round-trips (jsonb on PostgreSQL)

    const rotated = secretValue('rotated');
    const updated = await repos.configs.update(row.id, row.version, { settings: settingsWith([{ name: 'DB_PASSWORD', value: rotated, secret: true }]) }, new Date());
    expect(updated!.settings.env[0]!.value).toBe(rotated);
    const json = (await rawSettings(database, 'deployment_configs'))[0]!;
    expect(json).not.toContain(rotated);
    expect(json).not.toContain(secret);
    expect((await repos.configs.byEnvironmentId(1))!.settings.env[0]!.value).toBe(rotated);
    // a stale write changes nothing and returns nothing
    expect(await repos.configs.update(row.id, row.version, { imageTag: '9' }, new Date())).toBeUndefined();
  });

  it('templates: create, byName, byIds, list and rename', async () => {
    const { database, repos } = await fresh();
    const secret = secretValue('template');
    const env = [{ name: 'TOKEN', value: secret, secret: true }];
    const created = await repos.templates.create('base', settingsWith(env), null, new Date());
    expect(created.settings.env).toEqual(env);
    expect((await rawSettings(database, 'templates'))[0]).not.toContain(secret);
    expect((await repos.templates.byName('base'))!.settings.env).toEqual(env);
    expect((await repos.templates.byIds([created.id]))[0]!.settings.env).toEqual(env);
    expect((await repos.templates.list(0, 10))[0]!.settings.env).toEqual(env);
    expect((await repos.templates.rename(created.id, 'renamed', new Date()))!.settings.env).toEqual(env);
  });

  it('revisions: createRevision, revision, revisionsByIds and revisionsOf', async () => {
    const { database, repos } = await fresh();
    const secret = secretValue('revision');
    const env = [{ name: 'API_KEY', value: secret, secret: true }];
    await newApp(repos, 'shop', settingsWith([]));
    const revision = await repos.transaction(() =>
      repos.releases.createRevision({ environmentId: 1, image: 'nginx:1.25', imageTag: '1.25', settings: settingsWith(env), createdBy: 'test' }, new Date()),
    );
    expect(revision.settings.env).toEqual(env);
    expect((await rawSettings(database, 'revisions'))[0]).not.toContain(secret);
    expect((await repos.releases.revision(1, revision.number))!.settings.env).toEqual(env);
    expect((await repos.releases.revisionsByIds([revision.id]))[0]!.settings.env).toEqual(env);
    expect((await repos.releases.revisionsOf(1, 0, 10))[0]!.settings.env).toEqual(env);
  });

  it('an empty secret value is encrypted too (it still reads as empty)', async () => {
    const { database, repos } = await fresh();
    await newApp(repos, 'shop', settingsWith([{ name: 'EMPTY', value: '', secret: true }]));
    expect(storedEnv((await rawSettings(database, 'deployment_configs'))[0]!)[0]!.value.startsWith(ENCRYPTED_PREFIX)).toBe(true);
    expect((await repos.configs.byEnvironmentId(1))!.settings.env[0]!.value).toBe('');
  });

  it('a row encrypted with another key fails to read with a clear error instead of returning garbage', async () => {
    const { database, repos } = await fresh();
    await newApp(repos, 'shop', settingsWith([{ name: 'K', value: secretValue('other'), secret: true }]));
    const otherKey = createRepositories(database, { cipher: createCipher(randomKey()) });
    await expect(otherKey.configs.byEnvironmentId(1)).rejects.toThrow(SecretDecryptionError);
    // rows without secrets need no key at all
    expect((await otherKey.apps.byName('shop'))?.name).toBe('shop');
  });
});

