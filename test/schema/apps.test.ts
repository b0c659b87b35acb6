import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { CREATE_APP, ERROR_FRAGMENT, createApp } from '../helpers/operations.js';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

describe('createApp', () => {
  it('creates the app with a PRODUCTION and a TEST environment on distinct clusters', async () => {
    const res = dataOf(
      await api.gql(CREATE_APP, {
        input: { name: 'shop-web', businessType: 'CRM', description: 'The shop front', productionCluster: 'alpha', testCluster: 'beta' },
      }),
    ).createApp;
    expect(res.__typename).toBe('CreateAppPayload');
    expect(res.app).toMatchObject({ name: 'shop-web', businessType: 'CRM', description: 'The shop front', appType: 'STATELESS', deployMethod: 'CONTAINER' });
    const envs = res.app.environments;
    expect(envs.map((e: any) => [e.kind, e.clusterName, e.namespace])).toEqual([
      ['PRODUCTION', 'alpha', 'cairn-shop-web'],
      ['TEST', 'beta', 'cairn-shop-web'],
    ]);
    expect(new Set(envs.map((e: any) => e.clusterName)).size).toBe(2);
    expect(envs.map((e: any) => e.cluster.name)).toEqual(['alpha', 'beta']);
    for (const env of envs) {
      expect(env.deployedRevision).toBeNull();
      expect(env.desiredInstances).toBe(2);
      expect(env.config).toMatchObject({ version: 1, image: null, imageTag: null, instances: 2 });
    }
  });

  it('starts both drafts from an official image when one is given', async () => {
    const app = await createApp(api, 'boot-svc', { officialImage: 'SPRINGBOOT2', appType: 'STATEFUL' });
    for (const env of [app.production, app.test]) {
      expect(env.config).toMatchObject({ officialImage: 'SPRINGBOOT2', image: 'springboot2', imageTag: 'latest', deployRootDir: '/acs/code' });
      expect(env.config.readinessProbe.http).toEqual({ path: '/actuator/health', port: 8081, scheme: 'HTTP' });
    }
  });

  it('refuses a taken name with AlreadyExistsError', async () => {
    await createApp(api, 'taken');
    const before = api.dump();
    const res = dataOf(await api.gql(CREATE_APP, { input: { name: 'taken', businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta' } })).createApp;
    expect(res).toMatchObject({ __typename: 'AlreadyExistsError', code: 'ALREADY_EXISTS', path: ['input', 'name'], name: 'taken' });
    expect(api.dump()).toBe(before);
  });
});

describe('reading apps', () => {
  it('finds an app by id, through node(id:), and its environments through node(id:)', async () => {
    const app = await createApp(api, 'reader');
    const res = dataOf(
      await api.gql(
        `query ($id: ID!, $env: ID!) {
          app(id: $id) { name environment(kind: TEST) { id clusterName } }
          node(id: $id) { __typename ... on App { name } }
          env: node(id: $env) { __typename ... on Environment { kind app { name } config { environment { kind } } } }
          missing: app(id: "bm9wZQ==") { name }
        }`,
        { id: app.id, env: app.production.id },
      ),
    );
    expect(res.app).toEqual({ name: 'reader', environment: { id: app.test.id, clusterName: 'beta' } });
    expect(res.node).toEqual({ __typename: 'App', name: 'reader' });
    expect(res.env).toEqual({ __typename: 'Environment', kind: 'PRODUCTION', app: { name: 'reader' }, config: { environment: { kind: 'PRODUCTION' } } });
    expect(res.missing).toBeNull();
  });

  it('lists apps as a connection with filters and pages', async () => {
    await createApp(api, 'list-a1', { businessType: 'OMS' });
    await createApp(api, 'list-a2', { businessType: 'OMS', appType: 'STATEFUL' });
    await createApp(api, 'list-b1', { businessType: 'WMS' });
    const q = `query ($prefix: String, $bt: String, $type: AppType, $first: Int, $after: String) {
      apps(namePrefix: $prefix, businessType: $bt, appType: $type, first: $first, after: $after) {
        totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor }
      }
    }`;
    const names = (r: any) => r.apps.edges.map((e: any) => e.node.name);
    expect(names(dataOf(await api.gql(q, { prefix: 'list-' })))).toEqual(['list-a1', 'list-a2', 'list-b1']);
    expect(names(dataOf(await api.gql(q, { prefix: 'list-', bt: 'OMS' })))).toEqual(['list-a1', 'list-a2']);
    expect(names(dataOf(await api.gql(q, { prefix: 'list-', type: 'STATEFUL' })))).toEqual(['list-a2']);
    expect(names(dataOf(await api.gql(q, { prefix: 'list_' })))).toEqual([]);
    const page1 = dataOf(await api.gql(q, { prefix: 'list-', first: 2 }));
    expect(page1.apps.totalCount).toBe(3);
    expect(page1.apps.pageInfo.hasNextPage).toBe(true);
    const page2 = dataOf(await api.gql(q, { prefix: 'list-', first: 2, after: page1.apps.pageInfo.endCursor }));
    expect(names(page2)).toEqual(['list-b1']);
    expect(page2.apps.pageInfo.hasNextPage).toBe(false);
  });

  it('lists the configured business types', async () => {
    const res = dataOf(await api.gql('{ businessTypes }'));
    expect(res.businessTypes).toEqual(api.config.businessTypes);
  });
});

const UPDATE_APP = `mutation ($input: UpdateAppInput!) { updateApp(input: $input) { __typename ... on UpdateAppPayload { app { name businessType description } } ...ErrorFields } } ${ERROR_FRAGMENT}`;
const DELETE_APP = `mutation ($input: DeleteAppInput!) { deleteApp(input: $input) { __typename ... on DeleteAppPayload { deletedAppId } ...ErrorFields } } ${ERROR_FRAGMENT}`;

describe('updateApp', () => {
  it('changes the business type and description, never the name', async () => {
    const app = await createApp(api, 'updatable');
    const res = dataOf(await api.gql(UPDATE_APP, { input: { id: app.id, businessType: 'CRM', description: 'now CRM' } })).updateApp;
    expect(res).toEqual({ __typename: 'UpdateAppPayload', app: { name: 'updatable', businessType: 'CRM', description: 'now CRM' } });
    const partial = dataOf(await api.gql(UPDATE_APP, { input: { id: app.id, description: '' } })).updateApp;
    expect(partial.app).toEqual({ name: 'updatable', businessType: 'CRM', description: '' });
  });
});

describe('deleteApp', () => {
  it('deletes an app without running instances, with its environments and configs', async () => {
    const app = await createApp(api, 'doomed');
    const res = dataOf(await api.gql(DELETE_APP, { input: { id: app.id } })).deleteApp;
    expect(res).toEqual({ __typename: 'DeleteAppPayload', deletedAppId: app.id });
    const after = dataOf(await api.gql('query ($id: ID!, $env: ID!) { app(id: $id) { name } node(id: $env) { id } }', { id: app.id, env: app.production.id }));
    expect(after).toEqual({ app: null, node: null });
    expect(api.pods.requests.some((r) => r.startsWith('/api/v1/namespaces/cairn-doomed/pods?labelSelector=cairn.dev%2Fapp%3Ddoomed'))).toBe(true);
  });

  it('is refused while instances run, saying how to proceed, and changes nothing', async () => {
    const app = await createApp(api, 'busy');
    api.pods.pods.push({ name: 'busy-1', namespace: 'cairn-busy', labels: { 'cairn.dev/app': 'busy' }, phase: 'Running' });
    const before = api.dump();
    const res = dataOf(await api.gql(DELETE_APP, { input: { id: app.id } })).deleteApp;
    expect(res.__typename).toBe('NotAllowedError');
    expect(res.code).toBe('NOT_ALLOWED');
    expect(res.reason).toMatch(/still runs 1 instance.*scale it to zero or remove its workloads first/);
    expect(api.dump()).toBe(before);
    api.pods.pods = [];
  });

  it('ignores finished pods and pods of other apps', async () => {
    const app = await createApp(api, 'quiet');
    api.pods.pods.push(
      { name: 'quiet-old', namespace: 'cairn-quiet', labels: { 'cairn.dev/app': 'quiet' }, phase: 'Succeeded' },
      { name: 'other', namespace: 'cairn-quiet', labels: { 'cairn.dev/app': 'other' }, phase: 'Running' },
    );
    const res = dataOf(await api.gql(DELETE_APP, { input: { id: app.id } })).deleteApp;
    expect(res.__typename).toBe('DeleteAppPayload');
    api.pods.pods = [];
  });

  it('is refused when a cluster cannot be asked', async () => {
    const app = await createApp(api, 'unsure');
    api.pods.down = true;
    const before = api.dump();
    const res = dataOf(await api.gql(DELETE_APP, { input: { id: app.id } })).deleteApp;
    api.pods.down = false;
    expect(res).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
    expect(res.reason).toMatch(/did not answer.*Retry when it is reachable/);
    expect(api.dump()).toBe(before);
  });

  it('answers NotFoundError for an unknown or foreign ID', async () => {
    const app = await createApp(api, 'foreign');
    for (const id of ['nonsense', app.production.id]) {
      const res = dataOf(await api.gql(DELETE_APP, { input: { id } })).deleteApp;
      expect(res).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND', path: ['input', 'id'], typename: 'App' });
    }
  });
});
