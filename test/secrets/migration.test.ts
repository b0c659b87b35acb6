import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createCipher, ENCRYPTED_PREFIX, randomKey } from '../../src/secrets/cipher.js';
import { encryptPlaintextSecrets } from '../../src/secrets/stored.js';
import { prepareSecrets } from '../../src/secrets/startup.js';
import { memoryLog, secretValue, settingsWith, useTempDirs } from './helpers.js';

const tempDir = useTempDirs();

/**
 * A database as cairn wrote it before encryption at rest: secret values in plain text in a draft,
 * a revision and a template (written with plain SQL, as the old repositories did).
 */
async function legacyDatabase(path: string, secrets: { draft: string; revision: string; template: string }, plainValue: string) {
  const database = openDatabase(path);
  const now = Date.now();
  const s = database.sqlite!;
  const settings = (value: string) => JSON.stringify(settingsWith([{ name: 'DB_PASSWORD', value, secret: true }, { name: 'MODE', value: plainValue, secret: false }]));
  s.prepare("INSERT INTO apps (name, business_type, description, app_type, deploy_method, created_at, updated_at) VALUES ('old', 'ERP', '', 'STATELESS', 'CONTAINER', ?, ?)").run(now, now);
  s.prepare("INSERT INTO environments (app_id, kind, cluster, namespace, created_at) VALUES (1, 'PRODUCTION', 'alpha', 'cairn-old', ?)").run(now);
  s.prepare('INSERT INTO deployment_configs (environment_id, version, image_tag, settings, updated_at) VALUES (1, 1, ?, ?, ?)').run('1.25', settings(secrets.draft), now);
  s.prepare("INSERT INTO revisions (environment_id, number, image, image_tag, settings, created_by, created_at) VALUES (1, 1, 'nginx:1.25', '1.25', ?, 'old', ?)").run(settings(secrets.revision), now);
  s.prepare("INSERT INTO templates (name, settings, created_at, updated_at) VALUES ('old-template', ?, ?, ?)").run(settings(secrets.template), now, now);
  s.prepare("INSERT INTO templates (name, settings, created_at, updated_at) VALUES ('no-secrets', ?, ?, ?)").run(JSON.stringify(settingsWith([])), now, now);
  await database.close();
}

const fileBytes = (path: string) => [path, `${path}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');

describe('start-up encrypts the plaintext secrets of an older database', () => {
  it('encrypts every plaintext secret in place (drafts, revisions, templates); the values stay usable; the files no longer hold them', async () => {
    const dir = tempDir();
    const path = join(dir, 'cairn.db');
    const secrets = { draft: secretValue('draft'), revision: secretValue('revision'), template: secretValue('template') };
    const plainValue = 'plain-mode-value';
    await legacyDatabase(path, secrets, plainValue);
    for (const value of Object.values(secrets)) expect(fileBytes(path)).toContain(value); // the test's premise

    const log = memoryLog();
    const database = openDatabase(path);
    const cipher = await prepareSecrets({ databasePath: path }, database, log.logger);
    expect(log.lines().find((l) => l.msg.startsWith('encrypted the secret values stored in plain text'))?.rows).toBe(3);
    const repos = createRepositories(database, { cipher });
    expect((await repos.configs.byEnvironmentId(1))!.settings.env[0]).toEqual({ name: 'DB_PASSWORD', value: secrets.draft, secret: true });
    expect((await repos.releases.revision(1, 1))!.settings.env[0]!.value).toBe(secrets.revision);
    expect((await repos.templates.byName('old-template'))!.settings.env[0]!.value).toBe(secrets.template);
    for (const table of ['deployment_configs', 'revisions', 'templates']) {
      const rows = database.sqlite!.prepare(`SELECT settings FROM ${table}`).all() as Array<{ settings: string }>;
      for (const row of rows) {
        const env = JSON.parse(row.settings).env as Array<{ value: string; secret: boolean }>;
        for (const e of env) expect(e.secret ? e.value.startsWith(ENCRYPTED_PREFIX) : e.value === plainValue).toBe(true);
      }
    }
    const bytes = fileBytes(path);
    for (const value of Object.values(secrets)) {
      expect(bytes).not.toContain(value);
      expect(bytes).not.toContain(Buffer.from(value).toString('base64'));
    }
    expect(bytes).toContain(plainValue);
    await database.close();

    // the next start finds nothing left to encrypt
    const again = openDatabase(path);
    const second = memoryLog();
    await prepareSecrets({ databasePath: path }, again, second.logger);
    expect(second.text()).not.toContain('encrypted the secret values stored in plain text');
    await again.close();
  });

  it('is all-or-nothing: a failure midway leaves every row as it was', async () => {
    const dir = tempDir();
    const path = join(dir, 'cairn.db');
    const secrets = { draft: secretValue('draft'), revision: secretValue('revision'), template: secretValue('template') };
    await legacyDatabase(path, secrets, 'x');
    const database: OpenDatabase = openDatabase(path);
    const before = database.sqlite!.prepare('SELECT settings FROM deployment_configs UNION ALL SELECT settings FROM revisions UNION ALL SELECT settings FROM templates').all();
    const real = createCipher(randomKey());
    let calls = 0;
    const failing = {
      encrypt: (plain: string) => {
        if (++calls === 3) throw new Error('disk on fire');
        return real.encrypt(plain);
      },
      decrypt: real.decrypt,
    };
    await expect(encryptPlaintextSecrets(database, failing)).rejects.toThrow('disk on fire');
    const after = database.sqlite!.prepare('SELECT settings FROM deployment_configs UNION ALL SELECT settings FROM revisions UNION ALL SELECT settings FROM templates').all();
    expect(after).toEqual(before);
    expect(await encryptPlaintextSecrets(database, real)).toBe(3);
    expect(await encryptPlaintextSecrets(database, real)).toBe(0);
    await database.close();
  });
});
