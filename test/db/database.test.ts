import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../../src/db/client.js';
import { isUniqueViolation } from '../../src/db/errors.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { emptySettings } from '../../src/domain/config-types.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { countRows, describeEachDatabase } from './each-database.js';

const now = new Date('2026-11-25T16:00:00Z');
const cipher = createCipher(randomKey());

function newApp(repos: Repositories, name: string) {
  return repos.apps.create(
    {
      name,
      businessType: 'ERP',
      description: '',
      appType: 'STATELESS',
      deployMethod: 'CONTAINER',
      environments: [
        { kind: 'PRODUCTION', cluster: 'alpha', namespace: `cairn-${name}`, imageTag: null, settings: emptySettings() },
        { kind: 'TEST', cluster: 'beta', namespace: `cairn-${name}`, imageTag: null, settings: emptySettings() },
      ],
    },
    now,
  );
}

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('openDatabase (SQLite)', () => {
  const opened: OpenDatabase[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of opened.splice(0)) await d.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('creates the parent directory, turns on WAL and foreign keys, and applies the migrations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-db-'));
    dirs.push(dir);
    const database = openDatabase(join(dir, 'nested', 'deeper', 'cairn.db'));
    opened.push(database);
    const sqlite = database.sqlite!;
    expect(database.kind).toBe('sqlite');
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['apps', 'deployment_configs', 'environments', 'templates']));
  });

  it('re-opens an existing database without applying the migrations twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-db-'));
    dirs.push(dir);
    const path = join(dir, 'cairn.db');
    const first = openDatabase(path);
    await newApp(createRepositories(first, { cipher }), 'kept');
    await first.close();
    const second = openDatabase(path);
    opened.push(second);
    expect((await createRepositories(second, { cipher }).apps.byName('kept'))?.name).toBe('kept');
  });
});

describeEachDatabase('repositories', (target) => {
  async function fresh() {
    const database = await target.open();
    return { database, repos: createRepositories(database, { cipher }) };
  }

  it('creates an app with its two environments and their drafts', async () => {
    const { repos } = await fresh();
    const app = await newApp(repos, 'shop');
    expect(app).toMatchObject({ name: 'shop', createdAt: now, updatedAt: now });
    const envs = await repos.apps.environmentsOfApps([app.id]);
    expect(envs.map((e) => [e.kind, e.cluster])).toEqual([
      ['PRODUCTION', 'alpha'],
      ['TEST', 'beta'],
    ]);
    const configs = await repos.configs.byEnvironmentIds(envs.map((e) => e.id));
    expect(configs.map((c) => c.version)).toEqual([1, 1]);
    expect(configs[0]!.settings).toEqual(emptySettings());
  });

  it('guards config writes by version: a stale version writes nothing', async () => {
    const { repos } = await fresh();
    const app = await newApp(repos, 'guarded');
    const env = (await repos.apps.environmentsOfApps([app.id]))[0]!;
    const draft = (await repos.configs.byEnvironmentId(env.id))!;
    const written = await repos.configs.update(draft.id, 1, { settings: presetSettings('NGINX'), imageTag: '1.25' }, now);
    expect(written?.version).toBe(2);
    expect(written?.settings).toEqual(presetSettings('NGINX'));
    expect(await repos.configs.update(draft.id, 1, { imageTag: 'lost' }, now)).toBeUndefined();
    expect(await repos.configs.byEnvironmentId(env.id)).toMatchObject({ version: 2, imageTag: '1.25' });
  });

  it('rolls a transaction back entirely when it throws', async () => {
    const { repos, database } = await fresh();
    await expect(
      repos.transaction(async () => {
        await newApp(repos, 'half');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await countRows(database, 'apps')).toBe(0);
    expect(await countRows(database, 'environments')).toBe(0);
    expect(await countRows(database, 'deployment_configs')).toBe(0);
  });

  it('refuses a second app with the same name (unique index), as a unique violation', async () => {
    const { repos, database } = await fresh();
    await newApp(repos, 'twice');
    const error = await rejection(newApp(repos, 'twice'));
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(new Error('other'))).toBe(false);
    // The failed create left nothing behind: no environment or draft of a second app.
    expect(await countRows(database, 'environments')).toBe(2);
    expect(await countRows(database, 'deployment_configs')).toBe(2);
  });

  it('deleting an app deletes its environments and configs (foreign keys cascade)', async () => {
    const { repos, database } = await fresh();
    const app = await newApp(repos, 'gone');
    expect(await repos.apps.delete(app.id)).toBe(true);
    expect(await repos.apps.delete(app.id)).toBe(false);
    for (const table of ['environments', 'deployment_configs']) expect(await countRows(database, table)).toBe(0);
  });

  it('filters apps by name prefix literally (LIKE wildcards are escaped), ignoring case', async () => {
    const { repos } = await fresh();
    for (const name of ['a-b', 'axb', 'a%c', 'a_d', 'a\\e', 'b']) await newApp(repos, name);
    const names = async (namePrefix: string) => (await repos.apps.list({ namePrefix }, 0, 10)).map((a) => a.name);
    expect(await names('a-')).toEqual(['a-b']);
    expect(await names('a_')).toEqual(['a_d']);
    expect(await names('a%')).toEqual(['a%c']);
    expect(await names('a\\')).toEqual(['a\\e']);
    expect(await names('A-')).toEqual(['a-b']); // as SQLite's LIKE, and the filter of a member's apps (src/schema/app.ts)
    expect(await names('zz')).toEqual([]);
    expect(await repos.apps.count({ namePrefix: 'a' })).toBe(5);
    expect(await repos.apps.count({ namePrefix: '%' })).toBe(0);
    expect(await repos.apps.count({})).toBe(6);
  });

  it('stores templates under unique names and renames them', async () => {
    const { repos } = await fresh();
    const t = await repos.templates.create('base', presetSettings('TOMCAT'), null, now);
    expect(isUniqueViolation(await rejection(repos.templates.create('base', emptySettings(), null, now)))).toBe(true);
    expect((await repos.templates.rename(t.id, 'renamed', now))?.name).toBe('renamed');
    expect((await repos.templates.byName('renamed'))?.settings).toEqual(presetSettings('TOMCAT'));
    expect(await repos.templates.delete(t.id)).toBe(true);
    expect(await repos.templates.count()).toBe(0);
  });
});
