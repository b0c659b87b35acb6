import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, dataOf, type TestApi } from '../helpers/api.js';
import { issueTestToken } from '../helpers/auth.js';
import { UPDATE_CONFIG, createApp } from '../helpers/operations.js';
import { lastEntryOf } from './helpers.js';

const SECRET = 'S3cr3t-Value-Never-Audited';
const FILE_SECRET = 'db.password=Also-Secret-In-A-File';
const AUDIT_LOG = `{ auditLog(first: 100) { edges { node { action input message } } } }`;

let api: TestApi;

beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => {
  await api?.close();
});

/** Every row of audit_entries, as stored. */
const storedRows = async () => JSON.stringify((await api.repos.audit.page({}, null, 10_000)).rows);

describe('secrets in audited inputs', () => {
  it('a secret env var value and a file\'s content never reach audit_entries or the auditLog response', async () => {
    const app = await createApp(api, 'masked');
    const config = {
      image: 'nginx',
      ports: [{ containerPort: 80, name: 'http' }],
      env: [
        { name: 'DB_URL', value: SECRET, secret: true },
        { name: 'GREETING', value: 'hello', secret: false },
      ],
      fileMounts: [{ path: '/etc/app/db.properties', content: FILE_SECRET }],
    };
    const res = await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config } });
    expect(dataOf(res).updateDeploymentConfig.__typename).toBe('UpdateDeploymentConfigPayload');
    // A refused attempt (stale version) carries the secret too.
    const stale = await api.gql(UPDATE_CONFIG, { input: { environment: app.production.id, version: 1, config } });
    expect(dataOf(stale).updateDeploymentConfig.__typename).toBe('ConflictError');

    const entry = await lastEntryOf(api, 'updateDeploymentConfig');
    expect(entry).toMatchObject({ outcome: 'FAILED', errorCode: 'CONFLICT' });
    const input = JSON.parse(entry.input);
    expect(input.config.env).toEqual([
      { name: 'DB_URL', value: '[masked]', secret: true },
      { name: 'GREETING', value: 'hello', secret: false },
    ]);
    expect(input.config.fileMounts[0].content).toMatch(/^\[content: \d+ bytes, sha256 [0-9a-f]{16}…\]$/);

    const stored = await storedRows();
    const answered = JSON.stringify(dataOf(await api.gql(AUDIT_LOG)));
    for (const text of [stored, answered]) {
      expect(text).toContain('updateDeploymentConfig');
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('Also-Secret');
    }
  });

  it('a denied attempt is masked as well', async () => {
    const app = await createApp(api, 'masked-denied');
    const viewer = await issueTestToken(api.repos, { name: 'just-looking', grants: [] });
    const res = await api.gql(
      UPDATE_CONFIG,
      { input: { environment: app.production.id, version: 1, config: { image: 'nginx', env: [{ name: 'K', value: SECRET, secret: true }] } } },
      { token: viewer },
    );
    expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    expect(await lastEntryOf(api, 'updateDeploymentConfig')).toMatchObject({ outcome: 'DENIED', actorName: 'just-looking' });
    expect(await storedRows()).not.toContain(SECRET);
  });
});
