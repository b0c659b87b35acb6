import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { ENVIRONMENT_CONFIG, ERROR_FRAGMENT, FRAGMENTS, SET_IMAGE_TAG, UPDATE_CONFIG, createApp, toInput } from '../helpers/operations.js';

let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api.close();
});

const SAVE = `mutation ($input: SaveTemplateInput!) { saveTemplate(input: $input) { __typename ... on SaveTemplatePayload { template { id name image instances } } ...ErrorFields } } ${ERROR_FRAGMENT}`;
const APPLY = `mutation ($input: ApplyTemplateInput!) { applyTemplate(input: $input) { __typename ... on ApplyTemplatePayload { config { ...ConfigFields } warnings { code path } } ...ErrorFields } } ${FRAGMENTS}`;
const RENAME = `mutation ($input: RenameTemplateInput!) { renameTemplate(input: $input) { __typename ... on RenameTemplatePayload { template { id name } } ...ErrorFields } } ${ERROR_FRAGMENT}`;
const DELETE = `mutation ($input: DeleteTemplateInput!) { deleteTemplate(input: $input) { __typename ... on DeleteTemplatePayload { deletedTemplateId } ...ErrorFields } } ${ERROR_FRAGMENT}`;

async function configOf(envId: string) {
  return dataOf(await api.gql(ENVIRONMENT_CONFIG, { id: envId })).node.config;
}

describe('templates', () => {
  it('save → apply keeps the target environment\'s tag and copies everything else', async () => {
    const source = await createApp(api, 'tpl-source');
    const target = await createApp(api, 'tpl-target');
    const config = { officialImage: 'NODEJS', imageTag: 'source-tag', instances: 3, env: [{ name: 'MODE', value: 'fast' }], fileMounts: [{ path: '/etc/a.conf', content: 'x' }] };
    await api.gql(UPDATE_CONFIG, { input: { environment: source.production.id, version: 1, config } });
    await api.gql(SET_IMAGE_TAG, { input: { environment: target.test.id, imageTag: 'target-tag' } });

    const saved = dataOf(await api.gql(SAVE, { input: { environment: source.production.id, name: '  node default  ' } })).saveTemplate;
    expect(saved).toMatchObject({ __typename: 'SaveTemplatePayload', template: { name: 'node default', image: 'nodejs', instances: 3 } });

    const before = await configOf(target.test.id);
    const applied = dataOf(await api.gql(APPLY, { input: { template: saved.template.id, environment: target.test.id, version: before.version } })).applyTemplate;
    expect(applied.__typename).toBe('ApplyTemplatePayload');
    expect(applied.config.imageTag).toBe('target-tag');
    expect(applied.config.version).toBe(before.version + 1);
    const sourceConfig = await configOf(source.production.id);
    expect({ ...toInput(applied.config), imageTag: null }).toEqual({ ...toInput(sourceConfig), imageTag: null });

    // The template is listed, and can be read through node(id:).
    const list = dataOf(await api.gql('{ templates { totalCount edges { node { id name } } } }'));
    expect(list.templates.edges.map((e: any) => e.node.name)).toContain('node default');
    const nodes = dataOf(
      await api.gql('query ($t: ID!, $c: ID!) { t: node(id: $t) { __typename ... on Template { name } } c: node(id: $c) { __typename ... on DeploymentConfig { imageTag } } }', {
        t: saved.template.id,
        c: applied.config.id,
      }),
    );
    expect(nodes).toEqual({ t: { __typename: 'Template', name: 'node default' }, c: { __typename: 'DeploymentConfig', imageTag: 'target-tag' } });
  });

  it('a template holding secret values is applied by admins only: an OWNER (of both apps) gets NotAllowedError and nothing changes', async () => {
    const source = await createApp(api, 'tpl-secret-src');
    const target = await createApp(api, 'tpl-secret-dst');
    const config = { officialImage: 'NGINX', instances: 1, env: [{ name: 'DB_PASSWORD', value: 'from-the-source-app', secret: true }] };
    await api.gql(UPDATE_CONFIG, { input: { environment: source.production.id, version: 1, config } });
    const saved = dataOf(await api.gql(SAVE, { input: { environment: source.production.id, name: 'with-secret' } })).saveTemplate;
    // OWNER of the source app too, so it reads the template: the secrets still stay in their app.
    const grants = [source, target].map((app) => ({ appId: Number(decodeGlobalID(app.id).id), role: 'OWNER' as const }));
    const owner = await issueTestToken(api.repos, { name: 'dst-owner', grants });
    const before = api.dump();
    const refused = dataOf(await api.gql(APPLY, { input: { template: saved.template.id, environment: target.test.id } }, { token: owner })).applyTemplate;
    expect(refused).toMatchObject({ __typename: 'NotAllowedError', code: 'NOT_ALLOWED' });
    expect(api.dump()).toBe(before);
    const applied = dataOf(await api.gql(APPLY, { input: { template: saved.template.id, environment: target.test.id } })).applyTemplate;
    expect(applied.__typename).toBe('ApplyTemplatePayload');
  });

  it('applying with a stale version is a ConflictError and changes nothing', async () => {
    const app = await createApp(api, 'tpl-stale');
    const saved = dataOf(await api.gql(SAVE, { input: { environment: app.production.id, name: 'stale-src' } })).saveTemplate;
    await api.gql(SET_IMAGE_TAG, { input: { environment: app.test.id, imageTag: 'v2' } });
    const before = api.dump();
    const res = dataOf(await api.gql(APPLY, { input: { template: saved.template.id, environment: app.test.id, version: 1 } })).applyTemplate;
    expect(res).toMatchObject({ __typename: 'ConflictError', expectedVersion: 1, currentVersion: 2 });
    expect(api.dump()).toBe(before);
  });

  it('names are unique, on save and on rename', async () => {
    const app = await createApp(api, 'tpl-names');
    const a = dataOf(await api.gql(SAVE, { input: { environment: app.production.id, name: 'alpha' } })).saveTemplate.template;
    const b = dataOf(await api.gql(SAVE, { input: { environment: app.production.id, name: 'beta' } })).saveTemplate.template;
    const before = api.dump();
    const dup = dataOf(await api.gql(SAVE, { input: { environment: app.production.id, name: 'alpha' } })).saveTemplate;
    expect(dup).toMatchObject({ __typename: 'AlreadyExistsError', code: 'ALREADY_EXISTS', path: ['input', 'name'] });
    const clash = dataOf(await api.gql(RENAME, { input: { id: b.id, name: 'alpha' } })).renameTemplate;
    expect(clash).toMatchObject({ __typename: 'AlreadyExistsError', path: ['input', 'name'] });
    expect(api.dump()).toBe(before);

    const renamed = dataOf(await api.gql(RENAME, { input: { id: a.id, name: 'gamma' } })).renameTemplate;
    expect(renamed).toEqual({ __typename: 'RenameTemplatePayload', template: { id: a.id, name: 'gamma' } });
    const same = dataOf(await api.gql(RENAME, { input: { id: a.id, name: 'gamma' } })).renameTemplate;
    expect(same.template.name).toBe('gamma');
  });

  it('deletes a template; the configs loaded from it stay', async () => {
    const app = await createApp(api, 'tpl-delete', { officialImage: 'TOMCAT' });
    const t = dataOf(await api.gql(SAVE, { input: { environment: app.production.id, name: 'to-delete' } })).saveTemplate.template;
    await api.gql(APPLY, { input: { template: t.id, environment: app.test.id } });
    const config = await configOf(app.test.id);
    const res = dataOf(await api.gql(DELETE, { input: { id: t.id } })).deleteTemplate;
    expect(res).toEqual({ __typename: 'DeleteTemplatePayload', deletedTemplateId: t.id });
    expect(await configOf(app.test.id)).toEqual(config);
    const again = dataOf(await api.gql(DELETE, { input: { id: t.id } })).deleteTemplate;
    expect(again).toMatchObject({ __typename: 'NotFoundError', path: ['input', 'id'], typename: 'Template' });
  });
});
