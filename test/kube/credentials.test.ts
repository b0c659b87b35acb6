import { readdirSync, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { credentialStrings, redact } from '../../src/kube/credentials.js';
import { parseKubeconfig } from '../../src/kube/kubeconfig.js';
import { versionCheck } from '../../src/kube/reachability.js';
import { graphql, memoryLogger, testServer } from '../server/helpers.js';
import { closedPort, startFakeApiServer } from './fake-api-server.js';

const TOKEN = 'cred-test-bearer-token-5a5a5a';
const PASSWORD = 'cred-test-password-7b7b7b';
const URL_PASSWORD = 'url-password-8c8c8c';
const KEY_DATA = Buffer.from('-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n').toString('base64');
const SECRETS = [TOKEN, PASSWORD, URL_PASSWORD, KEY_DATA];

const stops: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function kubeconfigWithEveryKindOfCredential() {
  const api = await startFakeApiServer(TOKEN);
  stops.push(() => api.stop());
  const port = await closedPort();
  const text = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'with-token', cluster: { server: api.url, 'insecure-skip-tls-verify': true } },
      { name: 'with-password', cluster: { server: `http://admin:${URL_PASSWORD}@127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
      { name: 'with-key', cluster: { server: 'https://cairn-no-such-host.invalid:6443' } },
    ],
    users: [
      { name: 'token-user', user: { token: TOKEN } },
      { name: 'password-user', user: { username: 'admin', password: PASSWORD } },
      { name: 'key-user', user: { 'client-key-data': KEY_DATA, 'client-certificate-data': KEY_DATA } },
    ],
    contexts: [
      { name: 'token', context: { cluster: 'with-token', user: 'token-user' } },
      { name: 'password', context: { cluster: 'with-password', user: 'password-user' } },
      { name: 'key', context: { cluster: 'with-key', user: 'key-user' } },
    ],
    'current-context': 'token',
  });
  return { text, api };
}

describe('credentials', () => {
  it('never reach the API, the logs or the database', async () => {
    const { text } = await kubeconfigWithEveryKindOfCredential();
    const logs = memoryLogger();
    const dir = mkdtempSync(join(tmpdir(), 'cairn-cred-'));
    const documents = [{ text, origin: 'test kubeconfig', sandbox: false }];
    const t = await testServer({ kubeconfig: { documents, check: versionCheck(1000), logs }, databasePath: join(dir, 'cairn.db'), config: { clusterUnreachableAfterFailures: 3 } });
    stops.push(() => t.close());
    for (let i = 0; i < 3; i++) await t.clusters.checkAll(); // unreachable after three failed checks in a row

    const { body } = await graphql(
      t.server,
      `{ clusters { id name server reachable lastCheckedAt lastError sandbox } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.clusters.map((c: { name: string; reachable: boolean }) => [c.name, c.reachable])).toEqual([
      ['key', false],
      ['password', false],
      ['token', true],
    ]);
    const ids: string[] = body.data.clusters.map((c: { id: string }) => c.id);
    const nodes = await graphql(t.server, `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Cluster { name server lastError } } }`, { ids });
    expect(nodes.body.data.nodes).toHaveLength(3);
    const served = JSON.stringify([body, nodes.body]);
    expect(served).toContain('127.0.0.1'); // the password cluster's URL is shown, without its user-info
    await t.close();

    const stored = readdirSync(dir)
      .map((file) => readFileSync(join(dir, file)).toString('latin1'))
      .join('\n');
    for (const secret of SECRETS) {
      expect(served, 'API response').not.toContain(secret);
      expect(logs.text(), 'logs').not.toContain(secret);
      expect(stored, 'database files').not.toContain(secret);
    }
    expect(served).not.toContain('admin:');
  });

  it('are found in a kubeconfig and scrubbed from any text', () => {
    const kc = parseKubeconfig({
      text: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: `https://admin:${URL_PASSWORD}@k8s.example` } }],
        users: [
          { name: 'u', user: { token: TOKEN, password: PASSWORD, 'client-key-data': KEY_DATA } },
          { name: 'oidc', user: { 'auth-provider': { name: 'oidc', config: { 'id-token': 'oidc-id-token-1a2b', 'refresh-token': 'oidc-refresh-3c4d' } } } },
          {
            name: 'exec',
            user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'get-creds', args: ['--key', 'exec-arg-secret-5e6f'], env: [{ name: 'API_KEY', value: 'exec-env-secret-7a8b' }] } },
          },
        ],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
      origin: 'test',
      sandbox: false,
    });
    const secrets = credentialStrings(kc);
    for (const secret of [...SECRETS, 'oidc-id-token-1a2b', 'oidc-refresh-3c4d', 'exec-arg-secret-5e6f', 'exec-env-secret-7a8b']) {
      expect(secrets).toContain(secret);
    }
    const scrubbed = redact(`failed with ${TOKEN} and ${PASSWORD}; key ${KEY_DATA}; Authorization: Bearer abc.def; https://u:p@host`, secrets);
    for (const secret of [...SECRETS, 'abc.def', 'u:p@']) expect(scrubbed).not.toContain(secret);
    expect(scrubbed).toContain('[REDACTED]');
  });
});
