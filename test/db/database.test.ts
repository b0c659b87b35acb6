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

const now = new Date('2026-11-25T16:00:00Z');
const cipher = createCipher(randomKey());
const opened: OpenDatabase[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const d of opened.splice(0)) d.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fresh(): { repos: Repositories; database: OpenDatabase } {
  const database = openDatabase(':memory:');
  opened.push(database);
  return { repos: createRepositories(database.db, { cipher }), database };
}

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

describe('openDatabase', () => {
  it('creates the parent directory, turns on WAL and foreign keys, and applies the migrations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-db-'));
    dirs.push(dir);
    const database = openDatabase(join(dir, 'nested', 'deeper', 'cairn.db'));
    opened.push(database);
    expect(database.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = database.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['apps', 'deployment_configs', 'environments', 'templates']));
  });

  it('re-opens an existing database without applying the migrations twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cairn-db-'));
    dirs.push(dir);
    const path = join(dir, 'cairn.db');
    const first = openDatabase(path);
    newApp(createRepositories(first.db, { cipher }), 'kept');
    first.close();
    const second = openDatabase(path);
    opened.push(second);
    expect(createRepositories(second.db, { cipher }).apps.byName('kept')?.name).toBe('kept');
  });
});

describe('repositories', () => {
  it('creates an app with its two environments and their drafts', () => {
    const { repos } = fresh();
    const app = newApp(repos, 'shop');
    const envs = repos.apps.environmentsOfApps([app.id]);
    expect(envs.map((e) => [e.kind, e.cluster])).toEqual([
      ['PRODUCTION', 'alpha'],
      ['TEST', 'beta'],
    ]);
    const configs = repos.configs.byEnvironmentIds(envs.map((e) => e.id));
    expect(configs.map((c) => c.version)).toEqual([1, 1]);
    expect(configs[0]!.settings).toEqual(emptySettings());
  });

  it('guards config writes by version: a stale version writes nothing', () => {
    const { repos } = fresh();
    const app = newApp(repos, 'guarded');
    const env = repos.apps.environmentsOfApps([app.id])[0]!;
    const draft = repos.configs.byEnvironmentId(env.id)!;
    const written = repos.configs.update(draft.id, 1, { settings: presetSettings('NGINX'), imageTag: '1.25' }, now);
    expect(written?.version).toBe(2);
    expect(repos.configs.update(draft.id, 1, { imageTag: 'lost' }, now)).toBeUndefined();
    expect(repos.configs.byEnvironmentId(env.id)).toMatchObject({ version: 2, imageTag: '1.25' });
  });

  it('rolls a transaction back entirely when it throws', () => {
    const { repos, database } = fresh();
    const count = () => (database.sqlite.prepare('SELECT count(*) AS n FROM apps').get() as { n: number }).n;
    expect(() =>
      repos.transaction(() => {
        newApp(repos, 'half');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(count()).toBe(0);
    expect((database.sqlite.prepare('SELECT count(*) AS n FROM environments').get() as { n: number }).n).toBe(0);
  });

  it('refuses a second app with the same name (unique index)', () => {
    const { repos } = fresh();
    newApp(repos, 'twice');
    expect(() => newApp(repos, 'twice')).toThrow(/UNIQUE/);
    let caught: unknown;
    try {
      newApp(repos, 'twice');
    } catch (err) {
      caught = err;
    }
    expect(isUniqueViolation(caught)).toBe(true);
    expect(isUniqueViolation(new Error('other'))).toBe(false);
  });

  it('deleting an app deletes its environments and configs (foreign keys cascade)', () => {
    const { repos, database } = fresh();
    const app = newApp(repos, 'gone');
    expect(repos.apps.delete(app.id)).toBe(true);
    for (const table of ['environments', 'deployment_configs']) {
      expect((database.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n).toBe(0);
    }
  });

  it('filters apps by name prefix literally (LIKE wildcards are escaped)', () => {
    const { repos } = fresh();
    newApp(repos, 'a-b');
    newApp(repos, 'axb');
    expect(repos.apps.list({ namePrefix: 'a_' }, 0, 10)).toEqual([]);
    expect(repos.apps.list({ namePrefix: 'a-' }, 0, 10).map((a) => a.name)).toEqual(['a-b']);
    expect(repos.apps.count({ namePrefix: 'a' })).toBe(2);
  });

  it('stores templates under unique names and renames them', () => {
    const { repos } = fresh();
    const t = repos.templates.create('base', presetSettings('TOMCAT'), null, now);
    expect(() => repos.templates.create('base', emptySettings(), null, now)).toThrow(/UNIQUE/);
    expect(repos.templates.rename(t.id, 'renamed', now)?.name).toBe('renamed');
    expect(repos.templates.byName('renamed')?.settings).toEqual(presetSettings('TOMCAT'));
    expect(repos.templates.delete(t.id)).toBe(true);
    expect(repos.templates.count()).toBe(0);
  });
});
