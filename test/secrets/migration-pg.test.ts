/**
 * The start-up's secret handling on PostgreSQL (a fresh database, test/pg/pg-database.ts): plaintext secrets
 * a database holds are encrypted in place, in one transaction, by the same code as on SQLite (jsonb instead of
 * SQLite's JSON text); the key is then checked against what is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { openPostgresDatabase } from '../../src/db/pg/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createCipher, ENCRYPTED_PREFIX, randomKey, SecretDecryptionError } from '../../src/secrets/cipher.js';
import { encryptPlaintextSecrets, someEncryptedSecret } from '../../src/secrets/stored.js';
import { prepareSecrets } from '../../src/secrets/startup.js';
import { startPgDatabase } from '../pg/pg-database.js';
import { memoryLog, secretValue, settingsWith } from './helpers.js';

let database: Database;

/** Rows as cairn wrote them before encryption at rest (plain SQL): a secret in plain text in a draft, a revision and a template. */
async function legacyRows(secrets: { draft: string; revision: string; template: string }, plainValue: string): Promise<void> {
  const now = Date.now();
  const settings = (value: string) => JSON.stringify(settingsWith([{ name: 'DB_PASSWORD', value, secret: true }, { name: 'MODE', value: plainValue, secret: false }]));
  const pool = database.pool!;
  const app = await pool.query<{ id: number }>("INSERT INTO apps (name, business_type, description, app_type, deploy_method, created_at, updated_at) VALUES ('old', 'ERP', '', 'STATELESS', 'CONTAINER', $1, $1) RETURNING id", [now]);
  const env = await pool.query<{ id: number }>("INSERT INTO environments (app_id, kind, cluster, namespace, created_at) VALUES ($1, 'PRODUCTION', 'alpha', 'cairn-old', $2) RETURNING id", [app.rows[0]!.id, now]);
  const envId = env.rows[0]!.id;
  await pool.query('INSERT INTO deployment_configs (environment_id, version, image_tag, settings, updated_at) VALUES ($1, 1, $2, $3::jsonb, $4)', [envId, '1.25', settings(secrets.draft), now]);
  await pool.query("INSERT INTO revisions (environment_id, number, image, image_tag, settings, created_by, created_at) VALUES ($1, 1, 'nginx:1.25', '1.25', $2::jsonb, 'old', $3)", [envId, settings(secrets.revision), now]);
  await pool.query("INSERT INTO templates (name, settings, created_at, updated_at) VALUES ('old-template', $1::jsonb, $2, $2)", [settings(secrets.template), now]);
  await pool.query("INSERT INTO templates (name, settings, created_at, updated_at) VALUES ('no-secrets', $1::jsonb, $2, $2)", [JSON.stringify(settingsWith([])), now]);
}

const storedSettings = async () =>
  (await database.pool!.query<{ settings: { env: Array<{ value: string; secret: boolean }> } }>('SELECT settings FROM deployment_configs UNION ALL SELECT settings FROM revisions UNION ALL SELECT settings FROM templates')).rows;

describe('secrets at rest on PostgreSQL', () => {
  // Started at collection, awaited by beforeAll, stopped by afterAll even if it ends after the hook gave up (test/pg/pg-database.ts).
  const starting = startPgDatabase();
  starting.catch(() => undefined); // a failure is reported by beforeAll
  beforeAll(async () => {
    database = await openPostgresDatabase((await starting).url);
  }, 120_000);
  afterAll(async () => {
    await database?.close();
    await (await starting.catch(() => null))?.stop();
  });

  it('encrypts the plaintext secrets in place; the values stay usable; the key is checked at the next start', async () => {
    const secrets = { draft: secretValue('draft'), revision: secretValue('revision'), template: secretValue('template') };
    await legacyRows(secrets, 'plain-mode-value');
    expect(await someEncryptedSecret(database)).toBeUndefined();

    // A failure midway leaves every row as it was (one transaction).
    const before = await storedSettings();
    const real = createCipher(randomKey());
    let calls = 0;
    const failing = {
      encrypt: (plain: string) => {
        if (++calls === 2) throw new Error('disk on fire');
        return real.encrypt(plain);
      },
      decrypt: real.decrypt,
    };
    await expect(encryptPlaintextSecrets(database, failing)).rejects.toThrow('disk on fire');
    expect(await storedSettings()).toEqual(before);

    const key = randomKey().toString('base64');
    const log = memoryLog();
    const cipher = await prepareSecrets({ databasePath: ':memory:', secretKey: key }, database, log.logger);
    expect(log.lines().find((l) => l.msg.startsWith('encrypted the secret values stored in plain text'))?.rows).toBe(3);
    for (const row of await storedSettings()) {
      for (const e of row.settings.env) expect(e.secret ? e.value.startsWith(ENCRYPTED_PREFIX) : e.value === 'plain-mode-value').toBe(true);
    }
    expect(JSON.stringify(await storedSettings())).not.toContain(secrets.draft);

    const repos = createRepositories(database, { cipher });
    const app = (await repos.apps.byName('old'))!;
    const [production] = await repos.apps.environmentsOfApps([app.id]);
    expect((await repos.configs.byEnvironmentId(production!.id))!.settings.env[0]).toEqual({ name: 'DB_PASSWORD', value: secrets.draft, secret: true });
    expect((await repos.releases.revision(production!.id, 1))!.settings.env[0]!.value).toBe(secrets.revision);
    expect((await repos.templates.byName('old-template'))!.settings.env[0]!.value).toBe(secrets.template);

    // The next start: nothing left to encrypt; the same key passes, another one is refused at once.
    expect(await someEncryptedSecret(database)).toMatch(new RegExp(`^${ENCRYPTED_PREFIX}`));
    const again = memoryLog();
    await prepareSecrets({ databasePath: ':memory:', secretKey: key }, database, again.logger);
    expect(again.text()).not.toContain('encrypted the secret values stored in plain text');
    await expect(prepareSecrets({ databasePath: ':memory:', secretKey: randomKey().toString('base64') }, database, memoryLog().logger)).rejects.toThrow(SecretDecryptionError);
  });
});
