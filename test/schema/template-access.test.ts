/**
 * A template is a copy of one app's configuration: its file contents and environment values belong
 * to that app. Admins and the OWNERs of the app it was saved from list, read and apply it; to any
 * other token (an OWNER of another app, a VIEWER of the same app) it does not exist, and applying it
 * cannot copy its contents into an app the caller owns.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp, ENVIRONMENT_CONFIG, ERROR_FRAGMENT, UPDATE_CONFIG, type CreatedApp } from '../helpers/operations.js';

const SAVE = `mutation ($input: SaveTemplateInput!) { saveTemplate(input: $input) { __typename ... on SaveTemplatePayload { template { id sourceApp { name } } } } }`;
const APPLY = `mutation ($input: ApplyTemplateInput!) { applyTemplate(input: $input) { __typename ...ErrorFields } } ${ERROR_FRAGMENT}`;
const LIST = `{ templates { totalCount edges { node { name } } } }`;
const READ = `query ($id: ID!) { node(id: $id) { ... on Template { name fileMounts { content } env { name value } } } }`;
const DELETE_APP = `mutation ($input: DeleteAppInput!) { deleteApp(input: $input) { __typename } }`;

const FILE = 'db.url=postgres://app:s3cret-file@db/app';
const VALUE = 'plain-value-of-app-a';

let api: TestApi;
let appA: CreatedApp;
let appB: CreatedApp;
let ownerA: string;
let ownerB: string;
let viewerA: string;
let templateId: string;

const appIdOf = (app: CreatedApp) => Number(decodeGlobalID(app.id).id);
const namesFor = async (token?: string) => dataOf(await api.gql(LIST, {}, token === undefined ? {} : { token })).templates.edges.map((e: any) => e.node.name);

beforeAll(async () => {
  api = await createTestApi();
  appA = await createApp(api, 'tpl-app-a');
  appB = await createApp(api, 'tpl-app-b');
  ownerA = await issueTestToken(api.repos, { name: 'owner-a', grants: [{ appId: appIdOf(appA), role: 'OWNER' }] });
  ownerB = await issueTestToken(api.repos, { name: 'owner-b', grants: [{ appId: appIdOf(appB), role: 'OWNER' }] });
  viewerA = await issueTestToken(api.repos, { name: 'viewer-a', grants: [{ appId: appIdOf(appA), role: 'VIEWER' }] });
  const config = { officialImage: 'NGINX', instances: 1, env: [{ name: 'MODE', value: VALUE }], fileMounts: [{ path: '/etc/app/db.conf', content: FILE }] };
  dataOf(await api.gql(UPDATE_CONFIG, { input: { environment: appA.production.id, version: 1, config } }));
  const saved = dataOf(await api.gql(SAVE, { input: { environment: appA.production.id, name: 'from-a' } })).saveTemplate;
  expect(saved).toMatchObject({ __typename: 'SaveTemplatePayload', template: { sourceApp: { name: 'tpl-app-a' } } });
  templateId = saved.template.id;
});
afterAll(async () => {
  await api?.close();
});

describe('who reads a template', () => {
  it('admins and the source app\'s OWNERs list and read it, file contents and values included', async () => {
    expect(await namesFor()).toContain('from-a');
    expect(await namesFor(ownerA)).toEqual(['from-a']);
    for (const token of [undefined, ownerA]) {
      const node = dataOf(await api.gql(READ, { id: templateId }, token === undefined ? {} : { token })).node;
      expect(node).toEqual({ name: 'from-a', fileMounts: [{ content: FILE }], env: [{ name: 'MODE', value: VALUE }] });
    }
  });

  it('an OWNER of another app and a VIEWER of the source app neither list nor read it', async () => {
    for (const token of [ownerB, viewerA]) {
      const list = await api.gql(LIST, {}, { token });
      expect(dataOf(list).templates).toEqual({ totalCount: 0, edges: [] });
      const read = await api.gql(READ, { id: templateId }, { token });
      expect(read.data?.node ?? null).toBeNull();
      expect(JSON.stringify([list, read])).not.toContain('s3cret-file');
      expect(JSON.stringify([list, read])).not.toContain(VALUE);
    }
  });

  it('another app\'s OWNER cannot apply it to copy the contents into its own app: NotFoundError, nothing changes', async () => {
    const before = api.dump();
    const res = dataOf(await api.gql(APPLY, { input: { template: templateId, environment: appB.test.id } }, { token: ownerB })).applyTemplate;
    expect(res).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    expect(api.dump()).toBe(before);
    const config = dataOf(await api.gql(ENVIRONMENT_CONFIG, { id: appB.test.id }, { token: ownerB })).node.config;
    expect(JSON.stringify(config)).not.toContain('s3cret-file');
  });

  it('the source app\'s OWNER applies it to another environment of that app', async () => {
    const res = dataOf(await api.gql(APPLY, { input: { template: templateId, environment: appA.test.id } }, { token: ownerA })).applyTemplate;
    expect(res.__typename).toBe('ApplyTemplatePayload');
    const config = dataOf(await api.gql(ENVIRONMENT_CONFIG, { id: appA.test.id }, { token: ownerA })).node.config;
    expect(config.fileMounts.map((f: any) => f.content)).toEqual([FILE]);
  });

  it('a template whose app was deleted stays, for admins only', async () => {
    const appC = await createApp(api, 'tpl-app-c');
    const ownerC = await issueTestToken(api.repos, { name: 'owner-c', grants: [{ appId: appIdOf(appC), role: 'OWNER' }] });
    const saved = dataOf(await api.gql(SAVE, { input: { environment: appC.production.id, name: 'from-c' } })).saveTemplate;
    expect(await namesFor(ownerC)).toEqual(['from-c']);
    expect(dataOf(await api.gql(DELETE_APP, { input: { id: appC.id } })).deleteApp.__typename).toBe('DeleteAppPayload');
    const read = dataOf(await api.gql(`query ($id: ID!) { node(id: $id) { ... on Template { name sourceApp { name } } } }`, { id: saved.template.id })).node;
    expect(read).toEqual({ name: 'from-c', sourceApp: null });
    expect(await namesFor(ownerC)).toEqual([]);
  });
});
