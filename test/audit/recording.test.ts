// First: registers the test-only `auditProbe` mutation before the schema is built.
import './probe-mutation.js';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAudited } from '../../src/audit/mutations.js';
import { schema } from '../../src/schema/index.js';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { createApp } from '../helpers/operations.js';
import { auditRows, entriesOf, lastEntryOf } from './helpers.js';

const PROBE = `mutation ($input: AuditProbeInput!) { auditProbe(input: $input) { __typename ... on AuditProbePayload { done } ... on Error { code message } } }`;
const UPDATE_APP = `mutation ($input: UpdateAppInput!) { updateApp(input: $input) { __typename ... on Error { code message } } }`;
const CREATE_TOKEN = `mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename ... on Error { code } } }`;

let api: TestApi;
let viewerToken: string;
let adminTokenId: number;

beforeAll(async () => {
  api = await createTestApi();
  viewerToken = await issueTestToken(api.repos, { name: 'plain-viewer', grants: [] });
  adminTokenId = (await api.repos.tokens.byName('test-admin'))!.id;
});
afterAll(async () => {
  await api?.close();
});

describe('every mutation is audited', () => {
  it('wraps every field of the Mutation type, the test-only probe included', () => {
    const fields = Object.values(schema.getMutationType()!.getFields());
    expect(fields.map((f) => f.name)).toContain('auditProbe');
    expect(fields.filter((f) => !isAudited(f.resolve)).map((f) => f.name)).toEqual([]);
  });

  it('a mutation added without audit code writes an entry: SUCCEEDED, actor, time, masked input', async () => {
    const before = (await auditRows(api)).length;
    const res = await api.gql(PROBE, { input: { outcome: 'ok', password: 'hunter2' } });
    expect(dataOf(res).auditProbe).toEqual({ __typename: 'AuditProbePayload', done: true });
    expect(await auditRows(api)).toHaveLength(before + 1);
    const entry = await lastEntryOf(api, 'auditProbe');
    expect(entry).toMatchObject({ actorTokenId: adminTokenId, actorName: 'test-admin', outcome: 'SUCCEEDED', errorCode: null, message: null, targetId: null, appId: null });
    expect(entry.at).toBeInstanceOf(Date);
    expect(JSON.parse(entry.input)).toEqual({ outcome: 'ok', password: '[masked]' });
  });

  it('a typed error result is FAILED with its code and message, with the target and app the input names', async () => {
    const app = await createApp(api, 'probe-target');
    const res = await api.gql(PROBE, { input: { outcome: 'not-found', app: app.id } });
    expect(dataOf(res).auditProbe).toMatchObject({ __typename: 'NotFoundError', code: 'NOT_FOUND' });
    const entry = await lastEntryOf(api, 'auditProbe');
    expect(entry).toMatchObject({ outcome: 'FAILED', errorCode: 'NOT_FOUND', message: `No app has the ID ${app.id}.`, targetId: app.id, appId: Number(Buffer.from(app.id, 'base64').toString().split(':')[1]) });
  });

  it('a thrown typed error is FAILED with its code', async () => {
    await api.gql(PROBE, { input: { outcome: 'not-allowed-thrown' } });
    expect(await lastEntryOf(api, 'auditProbe')).toMatchObject({ outcome: 'FAILED', errorCode: 'NOT_ALLOWED', message: 'Not in this state.' });
  });

  it('an unexpected error is FAILED with code INTERNAL and no message; the client gets a masked error', async () => {
    const res = await api.gql(PROBE, { input: { outcome: 'crash' } });
    expect(res.errors?.[0]?.message).not.toContain('disk on fire');
    const entry = await lastEntryOf(api, 'auditProbe');
    expect(entry).toMatchObject({ outcome: 'FAILED', errorCode: 'INTERNAL', message: null });
    expect(JSON.stringify(entry)).not.toContain('disk on fire');
  });

  it('a call the scope check refuses is DENIED, with the caller as actor (the resolver never ran)', async () => {
    const res = await api.gql(PROBE, { input: { outcome: 'crash', password: 'pw' } }, { token: viewerToken });
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const entry = await lastEntryOf(api, 'auditProbe');
    expect(entry).toMatchObject({ actorName: 'plain-viewer', outcome: 'DENIED', errorCode: 'FORBIDDEN' });
    expect(entry.message).toContain('plain-viewer');
    expect(JSON.parse(entry.input)).toEqual({ outcome: 'crash', password: '[masked]' });
  });

  it('several mutations in one operation write one entry each, under their field names (not aliases)', async () => {
    const before = (await entriesOf(api, 'auditProbe')).length;
    const res = await api.gql(`mutation { a: auditProbe(input: { outcome: "ok" }) { __typename } b: auditProbe(input: { outcome: "ok" }) { __typename } }`);
    expect(res.errors).toBeUndefined();
    expect(await entriesOf(api, 'auditProbe')).toHaveLength(before + 2);
  });
});

describe('real mutations', () => {
  it('createApp: the created app is the target', async () => {
    const app = await createApp(api, 'audited-app');
    const entry = await lastEntryOf(api, 'createApp');
    expect(entry).toMatchObject({ outcome: 'SUCCEEDED', targetId: app.id, actorName: 'test-admin' });
    expect(entry.appId).not.toBeNull();
    expect(JSON.parse(entry.input)).toMatchObject({ name: 'audited-app', productionCluster: 'alpha' });
  });

  it('an environment ID resolves to its app', async () => {
    const app = await createApp(api, 'env-target');
    const appEntry = await lastEntryOf(api, 'createApp');
    const res = await api.gql(`mutation ($input: SetInstanceCountInput!) { setInstanceCount(input: $input) { __typename } }`, { input: { environment: app.production.id, instances: 2 } });
    expect(dataOf(res).setInstanceCount.__typename).toBe('SetInstanceCountPayload');
    expect(await lastEntryOf(api, 'setInstanceCount')).toMatchObject({ outcome: 'SUCCEEDED', targetId: app.production.id, appId: appEntry.appId });
  });

  it('a release order\'s ID resolves to its app through its environment', async () => {
    const app = await createApp(api, 'orders', { officialImage: 'NGINX' });
    const appId = (await lastEntryOf(api, 'createApp')).appId;
    const created = dataOf(
      await api.gql(`mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { id } } } }`, {
        input: { environment: app.test.id, batchCount: 1, pauseMode: 'NONE' },
      }),
    ).createReleaseOrder;
    expect(created.__typename).toBe('ReleaseOrderPayload');
    expect(await lastEntryOf(api, 'createReleaseOrder')).toMatchObject({ outcome: 'SUCCEEDED', targetId: app.test.id, appId });
    const order = created.releaseOrder.id as string;
    const closed = dataOf(await api.gql(`mutation ($input: CloseReleaseOrderInput!) { closeReleaseOrder(input: $input) { __typename } }`, { input: { id: order, reason: 'audit test' } })).closeReleaseOrder;
    expect(closed.__typename).toBe('ReleaseOrderPayload');
    expect(await lastEntryOf(api, 'closeReleaseOrder')).toMatchObject({ outcome: 'SUCCEEDED', targetId: order, appId });
  });

  it('updateApp on an ID that names nothing: FAILED, NOT_FOUND', async () => {
    const missing = encodeGlobalID('App', '9999');
    const res = await api.gql(UPDATE_APP, { input: { id: missing, description: 'x' } });
    expect(dataOf(res).updateApp.code).toBe('NOT_FOUND');
    expect(await lastEntryOf(api, 'updateApp')).toMatchObject({ outcome: 'FAILED', errorCode: 'NOT_FOUND', targetId: missing, appId: null });
  });

  it('an unexpected error in a real mutation: FAILED, INTERNAL, and the mutation reports a masked error', async () => {
    const app = await createApp(api, 'crashing');
    const update = api.repos.apps.update;
    api.repos.apps.update = () => {
      throw new Error('SQLITE_IOERR: disk I/O error');
    };
    try {
      const res = await api.gql(UPDATE_APP, { input: { id: app.id, description: 'x' } });
      expect(res.errors?.[0]?.message).not.toContain('SQLITE');
    } finally {
      api.repos.apps.update = update;
    }
    expect(await lastEntryOf(api, 'updateApp')).toMatchObject({ outcome: 'FAILED', errorCode: 'INTERNAL', message: null, targetId: app.id });
  });

  it('an admin-only mutation called by a non-admin is DENIED', async () => {
    const res = await api.gql(CREATE_TOKEN, { input: { name: 'sneaky', admin: true } }, { token: viewerToken });
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(await lastEntryOf(api, 'createApiToken')).toMatchObject({ outcome: 'DENIED', errorCode: 'FORBIDDEN', actorName: 'plain-viewer' });
    expect(await api.repos.tokens.byName('sneaky')).toBeUndefined();
  });

  it('createApiToken: the token is the target, and its secret is in no entry', async () => {
    const res = await api.gql(`mutation ($input: CreateApiTokenInput!) { createApiToken(input: $input) { __typename ... on CreateApiTokenPayload { secret token { id } } } }`, { input: { name: 'ci-bot' } });
    const payload = dataOf(res).createApiToken;
    expect(payload.__typename).toBe('CreateApiTokenPayload');
    expect(await lastEntryOf(api, 'createApiToken')).toMatchObject({ outcome: 'SUCCEEDED', targetId: payload.token.id, appId: null });
    expect(JSON.stringify(await auditRows(api))).not.toContain(payload.secret);
  });

  it('a failed audit write does not fail the mutation; the entry goes to the log', async () => {
    const record = api.repos.audit.record;
    api.repos.audit.record = () => {
      throw new Error('database is locked');
    };
    try {
      const res = await api.gql(PROBE, { input: { outcome: 'ok' } });
      expect(dataOf(res).auditProbe.done).toBe(true);
    } finally {
      api.repos.audit.record = record;
    }
    expect(api.logText()).toContain('the audit entry could not be written');
    expect(api.logText()).toContain('"action":"auditProbe"');
  });
});
