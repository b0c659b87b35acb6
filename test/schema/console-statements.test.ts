import { afterEach, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { CONSOLE_PAGE, seedConsoleApps } from '../helpers/console-page.js';

const apis: TestApi[] = [];
afterEach(async () => {
  for (const api of apis.splice(0)) await api.close();
});

async function withApps(count: number): Promise<TestApi> {
  const api = await createTestApi();
  apis.push(api);
  await seedConsoleApps(api.repos, count);
  // A first request records the admin token's use (a write at most once a minute), a second one reads the token and its
  // roles again after that write (they are then served from the token cache until the next write): out of the counts below.
  dataOf(await api.gql('{ businessTypes }'));
  dataOf(await api.gql('{ businessTypes }'));
  return api;
}

/** Runs the console page and returns its data and how many statements it executed and compiled. */
async function consolePage(api: TestApi, variables: { first: number; after?: string }, token?: string, query = CONSOLE_PAGE) {
  const before = api.statements();
  const data = dataOf(await api.gql(query, variables, { token }));
  const after = api.statements();
  return { data, executed: after.executed - before.executed, prepared: after.prepared - before.prepared };
}

/** The page as a VIEWER may read it: members are for OWNERs. */
const WITHOUT_MEMBERS = CONSOLE_PAGE.replace(/members \{[^}]*\}/, '');

const names = (data: Record<string, any>) => data.apps.edges.map((e: any) => e.node.name);

describe('the console page\'s SQL', () => {
  it('executes the same statements for 5, 20 and 50 apps, and compiles none the second time', async () => {
    const executed: number[] = [];
    for (const n of [5, 20, 50]) {
      const api = await withApps(n);
      const first = await consolePage(api, { first: 50 });
      expect(first.data.apps.totalCount).toBe(n);
      expect(first.data.apps.edges).toHaveLength(n);
      // Every level is there: members, both environments, configs, deployed revision, the order in progress with its batches.
      const app = first.data.apps.edges[n - 1].node;
      expect(app.members).toEqual([expect.objectContaining({ tokenName: `owner-${n}`, role: 'OWNER' })]);
      expect(app.environments.map((e: any) => [e.kind, e.app.name, e.config.environment.id === e.id, e.desiredInstances, e.deployedRevision.number])).toEqual([
        ['PRODUCTION', app.name, true, 2, 1],
        ['TEST', app.name, true, 2, 1],
      ]);
      const order = app.environments[0].activeReleaseOrder;
      expect([order.state, order.revision.number, order.previousRevision.number, order.batches.map((b: any) => b.failures.length)]).toEqual(['DEPLOYING', 2, 1, [1, 0]]);
      expect(app.environments[1].releaseOrders).toMatchObject({ totalCount: 2, edges: [{ node: { state: 'DEPLOYING' } }] });
      executed.push(first.executed);

      const second = await consolePage(api, { first: 50 });
      expect(second.prepared).toBe(0);
      expect(second.executed).toBe(first.executed);
      expect(second.data).toEqual(first.data);
    }
    console.log('console page: statements executed for 5, 20, 50 apps:', executed.join(', '));
    expect(executed[1]).toBe(executed[0]);
    expect(executed[2]).toBe(executed[0]);
  });

  it('pages the apps by name with their total, at the same statement count on every page', async () => {
    const api = await withApps(7);
    const pages: string[][] = [];
    const executed: number[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await consolePage(api, { first: 3, ...(after ? { after } : {}) });
      expect(page.data.apps.totalCount).toBe(7);
      pages.push(names(page.data));
      executed.push(page.executed);
      if (!page.data.apps.pageInfo.hasNextPage) break;
      after = page.data.apps.pageInfo.endCursor;
    }
    expect(pages).toEqual([
      ['app-001', 'app-002', 'app-003'],
      ['app-004', 'app-005', 'app-006'],
      ['app-007'],
    ]);
    expect(new Set(executed).size).toBe(1);
  });

  it('shows a token with roles on a few apps only those, at the same statement count for 2 apps as for 15', async () => {
    const api = await withApps(20);
    const admin = await consolePage(api, { first: 50 }, undefined, WITHOUT_MEMBERS);
    const apps = admin.data.apps.edges.map((e: any) => e.node);
    const viewerOf = async (picked: any[]) => {
      const token = await issueTestToken(api.repos, { grants: picked.map((a) => ({ appId: Number(Buffer.from(a.id, 'base64').toString().split(':')[1]), role: 'VIEWER' as const })) });
      // As for the admin token (withApps): its use recorded, then its reads cached — out of the counts.
      for (let i = 0; i < 2; i++) dataOf(await api.gql('{ businessTypes }', {}, { token }));
      return token;
    };
    const few = await consolePage(api, { first: 50 }, await viewerOf([apps[3], apps[11]]), WITHOUT_MEMBERS);
    const many = await consolePage(api, { first: 50 }, await viewerOf(apps.slice(0, 15)), WITHOUT_MEMBERS);
    expect(names(few.data)).toEqual(['app-004', 'app-012']);
    expect(few.data.apps.totalCount).toBe(2);
    expect(names(many.data)).toHaveLength(15);
    expect(many.executed).toBe(few.executed);
    expect(few.executed).toBeLessThanOrEqual(admin.executed);
  });
});

describe('the other lists\' SQL', () => {
  const LISTS = `{
    apiTokens(first: 100) { totalCount edges { node { name grants { role app { name } } } } }
    templates(first: 100) { totalCount edges { node { name sourceApp { name environments { kind } } } } }
  }`;

  it('reads tokens with their grants and templates with their apps at the same statement count for 5 and 20 apps', async () => {
    const executed: number[] = [];
    for (const n of [5, 20]) {
      const api = await withApps(n);
      const apps = await api.repos.apps.list({}, 0, n);
      for (const app of apps) {
        const environments = await api.repos.apps.environmentsOfApps([app.id]);
        const [draft] = await api.repos.configs.byEnvironmentIds(environments.map((e) => e.id));
        await api.repos.templates.create(`from-${app.name}`, draft!.settings, app.id, new Date());
      }
      const before = api.statements().executed;
      const data = dataOf(await api.gql(LISTS));
      executed.push(api.statements().executed - before);
      expect(data.apiTokens.totalCount).toBe(n + 1);
      expect(data.apiTokens.edges.find((e: any) => e.node.name === `owner-${n}`).node.grants).toEqual([{ role: 'OWNER', app: { name: apps[n - 1]!.name } }]);
      expect(data.templates.edges.map((e: any) => [e.node.name, e.node.sourceApp.name, e.node.sourceApp.environments.length])).toEqual(apps.map((a) => [`from-${a.name}`, a.name, 2]));
    }
    expect(executed[1]).toBe(executed[0]);
  });
});

describe('nodes(ids:)\'s SQL', () => {
  const NODES = `query ($ids: [ID!]!) { nodes(ids: $ids) { id
    ... on App { name }
    ... on Environment { kind config { version } }
    ... on DeploymentConfig { version }
    ... on ReleaseOrder { state revision { number } }
    ... on Revision { number }
  } }`;

  it('checks and loads the objects of many apps for a non-admin at the same statement count for 5 and 20 apps', async () => {
    const executed: number[] = [];
    for (const n of [5, 20]) {
      const api = await withApps(n);
      const page = dataOf(await api.gql(CONSOLE_PAGE, { first: 50 })).apps.edges.map((e: any) => e.node);
      const ids = page.flatMap((app: any) => [
        app.id,
        ...app.environments.flatMap((e: any) => [e.id, e.config.id, e.activeReleaseOrder.id, e.deployedRevision.id]),
      ]);
      // A VIEWER of every app but the last: the last app's objects read as null, like IDs that name nothing.
      const appIds = page.slice(0, -1).map((a: any) => Number(Buffer.from(a.id, 'base64').toString().split(':')[1]));
      const token = await issueTestToken(api.repos, { grants: appIds.map((appId: number) => ({ appId, role: 'VIEWER' as const })) });
      dataOf(await api.gql('{ businessTypes }', {}, { token }));
      const before = api.statements().executed;
      const nodes = dataOf(await api.gql(NODES, { ids }, { token })).nodes;
      executed.push(api.statements().executed - before);
      expect(nodes.filter((x: unknown) => x === null)).toHaveLength(9);
      expect(nodes.slice(0, 9)).toMatchObject([{ name: 'app-001' }, { kind: 'PRODUCTION', config: { version: 1 } }, { version: 1 }, { state: 'DEPLOYING', revision: { number: 2 } }, { number: 1 }, { kind: 'TEST' }, {}, {}, {}]);
    }
    expect(executed[1]).toBe(executed[0]);
  });

  it('loads many release orders for an admin at the same statement count for 5 and 20 apps (their apps are not looked up one by one)', async () => {
    const executed: number[] = [];
    for (const n of [5, 20]) {
      const api = await withApps(n);
      const page = dataOf(await api.gql(CONSOLE_PAGE, { first: 50 })).apps.edges.map((e: any) => e.node);
      const ids = page.flatMap((app: any) => app.environments.map((e: any) => e.activeReleaseOrder?.id).filter(Boolean));
      expect(ids).toHaveLength(2 * n); // an order in progress in each environment
      const before = api.statements().executed;
      const nodes = dataOf(await api.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on ReleaseOrder { state } } }', { ids })).nodes;
      executed.push(api.statements().executed - before);
      expect(nodes).toEqual(ids.map((id: string) => ({ id, state: 'DEPLOYING' })));
    }
    expect(executed[1]).toBe(executed[0]);
  });
});
