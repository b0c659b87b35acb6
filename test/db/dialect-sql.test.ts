/**
 * The SQL that differs between SQLite and PostgreSQL (src/db/dialect.ts, src/db/batch-sql.ts) and the values each
 * gives back, checked with the same assertions on both: lists of IDs and pairs bound as one JSON parameter, ranked
 * pages, name prefixes with LIKE's wildcards, the partial unique index, counts as numbers, times as Dates, settings
 * (jsonb on PostgreSQL) and booleans as written.
 */
import { eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { rankedWithin } from '../../src/db/batch-sql.js';
import { isUniqueViolation } from '../../src/db/errors.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { emptySettings, type ConfigSettings } from '../../src/domain/config-types.js';
import { presetSettings } from '../../src/domain/official-images.js';
import { freshCursor } from '../../src/engine/order-state.js';
import { createCipher, randomKey } from '../../src/secrets/cipher.js';
import { describeEachDatabase, rawRows } from './each-database.js';

const at = (second: number) => new Date(Date.UTC(2026, 11, 7, 3, 0, second, 123));
const cipher = createCipher(randomKey());

function newApp(repos: Repositories, name: string, settings: ConfigSettings = emptySettings()) {
  return repos.apps.create(
    {
      name,
      businessType: 'ERP',
      description: 'ünïcødé — “quotes” \\ backslash',
      appType: 'STATELESS',
      deployMethod: 'CONTAINER',
      environments: [
        { kind: 'PRODUCTION', cluster: 'alpha', namespace: `cairn-${name}`, imageTag: '1', settings },
        { kind: 'TEST', cluster: 'beta', namespace: `cairn-${name}`, imageTag: '1', settings },
      ],
    },
    at(0),
  );
}

const order = (environmentId: number, state: 'DEPLOYING' | 'COMPLETED' | 'CLOSED' = 'DEPLOYING') => ({
  environmentId,
  kind: 'RELEASE' as const,
  fromRevision: null,
  toRevision: 1,
  plan: [1, 2, 3],
  pauseMode: 'NONE' as const,
  state,
  direction: 'FORWARD' as const,
  cursor: freshCursor(at(1)),
  description: '',
  createdBy: 't',
});

describeEachDatabase('dialect SQL', (target) => {
  async function fresh() {
    const database = await target.open();
    return { database, repos: createRepositories(database, { cipher }) };
  }

  it('inIds: one parameter for any number of IDs, repeated and unknown IDs included; pairsIn: pairs that exist', async () => {
    const { repos } = await fresh();
    const a = await newApp(repos, 'a');
    const b = await newApp(repos, 'b');
    const sorted = (rows: { id: number }[]) => rows.map((r) => r.id).sort((x, y) => x - y);
    expect(sorted(await repos.apps.byIds([b.id, a.id, b.id, 999_999]))).toEqual([a.id, b.id]);
    expect(await repos.apps.byIds([])).toEqual([]);
    expect(await repos.apps.byIds([2_147_483_647])).toEqual([]); // the largest integer id
    const envs = await repos.apps.environmentsOfApps([a.id, b.id]);
    expect(envs).toHaveLength(4);
    const [e1, e2] = envs.map((e) => e.id);
    await repos.releases.createRevision({ environmentId: e1!, image: 'nginx:1', imageTag: '1', settings: emptySettings(), createdBy: 't' }, at(1));
    await repos.releases.createRevision({ environmentId: e1!, image: 'nginx:2', imageTag: '2', settings: emptySettings(), createdBy: 't' }, at(2));
    await repos.releases.createRevision({ environmentId: e2!, image: 'nginx:1', imageTag: '1', settings: emptySettings(), createdBy: 't' }, at(3));
    const found = await repos.releases.revisionsByKeys([
      { environmentId: e1!, number: 2 },
      { environmentId: e2!, number: 2 }, // e2 has no revision 2
      { environmentId: e2!, number: 1 },
      { environmentId: e1!, number: 2 },
    ]);
    expect(found.map((r) => [r.environmentId, r.number, r.image]).sort()).toEqual([
      [e1, 2, 'nginx:2'],
      [e2, 1, 'nginx:1'],
    ]);
  });

  it('rankedWithin: the rows ranked offset+1 … offset+limit in each group, with a filter', async () => {
    const { database, repos } = await fresh();
    const app = await newApp(repos, 'shop');
    const [e1, e2] = (await repos.apps.environmentsOfApps([app.id])).map((e) => e.id);
    for (const [env, states] of [
      [e1!, ['CLOSED', 'COMPLETED', 'CLOSED', 'COMPLETED', 'DEPLOYING']],
      [e2!, ['COMPLETED', 'CLOSED']],
    ] as const) {
      for (const state of states) await repos.releases.createOrder(order(env, state), at(5));
    }
    const { releaseOrders } = database.t;
    const page = async (offset: number, limit: number, filter?: ReturnType<typeof eq>) => {
      const where = rankedWithin(database.dialect, { table: releaseOrders, id: releaseOrders.id, group: releaseOrders.environmentId, groups: [e1!, e2!], orderBy: sql`${releaseOrders.id}`, filter, offset, limit });
      const rows = await database.read((db) => db.select({ id: releaseOrders.id, env: releaseOrders.environmentId, state: releaseOrders.state }).from(releaseOrders).where(where).orderBy(releaseOrders.id));
      return rows.map((r) => [r.env === e1 ? 1 : 2, r.state]);
    };
    expect(await page(0, 2)).toEqual([
      [1, 'CLOSED'],
      [1, 'COMPLETED'],
      [2, 'COMPLETED'],
      [2, 'CLOSED'],
    ]);
    expect(await page(1, 2)).toEqual([
      [1, 'COMPLETED'],
      [1, 'CLOSED'],
      [2, 'CLOSED'],
    ]);
    expect(await page(5, 10)).toEqual([]);
    expect(await page(1, 1, eq(releaseOrders.state, 'COMPLETED'))).toEqual([[1, 'COMPLETED']]);
  });

  it('counts are numbers, times are Dates to the millisecond, booleans are booleans', async () => {
    const { database, repos } = await fresh();
    await newApp(repos, 'shop');
    expect(await repos.apps.count({})).toBe(1);
    expect(await repos.apps.count({ namePrefix: 'x' })).toBe(0);
    expect(await repos.templates.count()).toBe(0);
    const admin = await repos.tokens.create({ name: 'root', secretHash: 'h1', prefix: 'p1', admin: true, createdBy: 't', expiresAt: at(9), grants: [] }, at(1));
    const plain = await repos.tokens.create({ name: 'dev', secretHash: 'h2', prefix: 'p2', admin: false, createdBy: 't', expiresAt: null, grants: [] }, at(2));
    expect(await repos.tokens.count()).toBe(2);
    expect(admin).toMatchObject({ admin: true, createdAt: at(1), expiresAt: at(9), revokedAt: null, lastUsedAt: null });
    expect(plain).toMatchObject({ admin: false, expiresAt: null });
    await repos.tokens.touch(plain.id, at(3));
    expect(await repos.tokens.revoke(plain.id, at(4))).toMatchObject({ revokedAt: at(4), lastUsedAt: at(3) });
    const read = (await repos.tokens.byId(plain.id))!;
    expect(read.revokedAt).toBeInstanceOf(Date);
    expect(read.revokedAt!.getTime()).toBe(at(4).getTime());
    expect(typeof read.admin).toBe('boolean');
    expect((await repos.tokens.byId(admin.id))!.admin).toBe(true);

    const entry = { at: at(5), actorTokenId: admin.id, actorName: 'root', action: 'terminalCommand', appId: null, targetId: null, input: '"****"', outcome: 'SUCCEEDED' as const, errorCode: null, message: null };
    const secret = await repos.audit.record({ ...entry, unmaskedInput: '"hunter2"' });
    const open = await repos.audit.record({ ...entry, at: at(5), input: '"ls"' });
    expect(secret.possiblySecret).toBe(true);
    expect(open.possiblySecret).toBe(false);
    expect(repos.audit.unmaskedInputOf(secret)).toBe('"hunter2"');
    expect(await repos.audit.count({ since: at(5), until: at(6) })).toBe(2);
    expect(await repos.audit.count({ since: at(6) })).toBe(0);
    // Same time: the newer id first, and a page after the first entry goes on by id.
    const page = await repos.audit.page({}, null, 1);
    expect(page).toMatchObject({ more: true, rows: [{ id: open.id, at: at(5), possiblySecret: false }] });
    expect((await repos.audit.page({}, { at: at(5), id: open.id }, 5)).rows.map((r) => r.id)).toEqual([secret.id]);
    // As stored: Unix milliseconds in an integer column on both.
    expect(await rawRows(database, `SELECT created_at, expires_at FROM api_tokens WHERE id = ${admin.id}`)).toEqual([{ created_at: at(1).getTime(), expires_at: at(9).getTime() }]);
  });

  it('settings, plans and cursors round-trip whole (jsonb on PostgreSQL), whatever the order of their keys', async () => {
    const { repos } = await fresh();
    const settings: ConfigSettings = {
      ...presetSettings('TOMCAT'),
      image: 'registry.example/ünï/tomcat',
      cpuMillicores: 250,
      ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: null, containerPort: 9090, protocol: 'UDP' }],
      env: [
        { name: 'A', value: 'line\nbreak\ttab "quoted" \\ {json: [1]}', secret: false },
        { name: 'EMOJI', value: '🚀 ✓', secret: false },
        { name: 'S', value: 'top secret', secret: true },
        { name: 'EMPTY', value: '', secret: false },
      ],
    };
    const app = await newApp(repos, 'shop', settings);
    const [env] = await repos.apps.environmentsOfApps([app.id]);
    expect((await repos.configs.byEnvironmentId(env!.id))!.settings).toEqual(settings);
    expect(app.description).toBe('ünïcødé — “quotes” \\ backslash');
    const revision = await repos.releases.createRevision({ environmentId: env!.id, image: 'tomcat:10', imageTag: '10', settings, createdBy: 't' }, at(1));
    expect((await repos.releases.revision(env!.id, revision.number))!.settings).toEqual(settings);
    const created = await repos.releases.createOrder(order(env!.id), at(1));
    const read = (await repos.releases.order(created.id))!;
    expect(read.plan).toEqual([1, 2, 3]);
    expect(read.cursor).toEqual(freshCursor(at(1)));
    expect(await repos.templates.create('t', settings, app.id, at(1))).toMatchObject({ settings, sourceAppId: app.id });
  });

  it('one active order per environment: the partial unique index refuses a second, lets finished ones be', async () => {
    const { repos } = await fresh();
    const app = await newApp(repos, 'shop');
    const [e1, e2] = (await repos.apps.environmentsOfApps([app.id])).map((e) => e.id);
    const active = await repos.releases.createOrder(order(e1!), at(1));
    let refused: unknown;
    await repos.releases.createOrder(order(e1!), at(2)).catch((error: unknown) => (refused = error));
    expect(isUniqueViolation(refused)).toBe(true);
    await repos.releases.createOrder(order(e1!, 'COMPLETED'), at(2));
    await repos.releases.createOrder(order(e1!, 'CLOSED'), at(2));
    await repos.releases.createOrder(order(e2!), at(2));
    await repos.releases.updateOrder(active, { state: 'CLOSED' }, at(3));
    await repos.releases.createOrder(order(e1!), at(4));
    expect(await repos.releases.countOrders(e1!)).toBe(4);
    expect((await repos.releases.activeOrdersOf([e1!, e2!])).length).toBe(2);
  });

  it('lists apps and templates by name in code-point order, as SQLite and the filter of a member\'s apps sort, whatever the collation', async () => {
    // A production PostgreSQL often sorts by a language's rules (glibc's en_US.UTF-8, like ICU's en-US-u-ka-shifted here, ignores '-' at first): the order must not change with it.
    const database = await target.open(target.kind === 'postgres' ? { pgIcuLocale: 'en-US-u-ka-shifted' } : {});
    const repos = createRepositories(database, { cipher });
    const names = ['ab', 'a-c', 'a1', 'b', 'a-b2', 'aa'];
    for (const name of names) await newApp(repos, name);
    for (const name of names) await repos.templates.create(name, emptySettings(), null, at(1));
    const codePoints = [...names].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
    expect(codePoints).toEqual(['a-b2', 'a-c', 'a1', 'aa', 'ab', 'b']);
    expect((await repos.apps.list({}, 0, 10)).map((a) => a.name)).toEqual(codePoints);
    expect((await repos.apps.list({}, 2, 2)).map((a) => a.name)).toEqual(codePoints.slice(2, 4));
    expect((await repos.templates.list(0, 10)).map((t) => t.name)).toEqual(codePoints);
    expect((await repos.apps.list({ namePrefix: 'A-' }, 0, 10)).map((a) => a.name)).toEqual(['a-b2', 'a-c']); // a prefix, under that collation too
    if (target.kind === 'postgres') {
      // The database does collate otherwise: the test would catch an ORDER BY that followed it.
      const rows = await rawRows<{ name: string }>(database, 'SELECT name FROM apps ORDER BY name');
      expect(rows.map((r) => r.name)).not.toEqual(codePoints);
    }
  });

  it('an ID beyond what an integer column holds finds nothing, as any unknown ID (PostgreSQL types the parameter by its column)', async () => {
    const { repos } = await fresh();
    const app = await newApp(repos, 'shop');
    const [env] = await repos.apps.environmentsOfApps([app.id]);
    const big = 2 ** 40; // a decoded global ID may be any safe integer
    expect(await repos.apps.byId(big)).toBeUndefined();
    expect(await repos.apps.byIds([big, app.id])).toHaveLength(1);
    expect(await repos.apps.environment(-big)).toBeUndefined();
    expect(await repos.releases.order(big)).toBeUndefined();
    expect(await repos.releases.revision(env!.id, big)).toBeUndefined();
    expect(await repos.releases.activeOrderOf(big)).toBeUndefined();
    expect(await repos.configs.byEnvironmentId(big)).toBeUndefined();
    expect(await repos.configs.update(big, 1, { imageTag: 'x' }, at(1))).toBeUndefined();
    expect(await repos.apps.update(big, { description: 'x' }, at(1))).toBeUndefined();
    expect(await repos.apps.delete(big)).toBe(false);
    expect(await repos.templates.delete(big)).toBe(false);
    expect(await repos.tokens.page(big, 5)).toEqual([]);
    expect(await repos.tokens.byId(big)).toBeUndefined();
    expect(await repos.audit.count({ appId: big })).toBe(0);
    expect(await repos.apps.byId(app.id)).toMatchObject({ name: 'shop' });
  });

  it('ON CONFLICT DO UPDATE: setting a member twice changes the role, removing reports whether there was one', async () => {
    const { repos } = await fresh();
    const app = await newApp(repos, 'shop');
    const token = await repos.tokens.create({ name: 'dev', secretHash: 'h', prefix: 'p', admin: false, createdBy: 't', expiresAt: null, grants: [{ appId: app.id, role: 'VIEWER' }] }, at(1));
    expect(await repos.tokens.setMember(app.id, token.id, 'OWNER', at(2))).toMatchObject({ appId: app.id, tokenId: token.id, role: 'OWNER', createdAt: at(1) });
    expect((await repos.tokens.membersOf(app.id)).map((m) => m.role)).toEqual(['OWNER']);
    expect(await repos.tokens.removeMember(app.id, token.id)).toBe(true);
    expect(await repos.tokens.removeMember(app.id, token.id)).toBe(false);
    expect(await repos.tokens.grantsOf(token.id)).toEqual([]);
  });
});
