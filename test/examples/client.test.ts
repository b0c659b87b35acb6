/**
 * examples/typescript's client sends an operation's persisted hash alone, and the document once when the server does
 * not know the hash (it loaded another manifest) — against cairn's real server on port 0.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cairnClient, CairnRequestError } from '../../examples/typescript/src/cairn-client.js';
import { FindEnvironmentDocument } from '../../examples/typescript/src/gql/graphql.js';
import { issueTestToken } from '../helpers/auth.js';
import { type TestServer, testServer } from '../server/helpers.js';
import { ROOT } from './setup.js';

const ids = JSON.parse(readFileSync(join(ROOT, 'examples/operations.ids.json'), 'utf8')) as Record<string, string>;
const variables = { name: 'nothing-here', kind: 'TEST' as const };

describe('the example client', () => {
  let withManifest: TestServer;
  let without: TestServer;
  let urls: { withManifest: string; without: string };

  beforeAll(async () => {
    withManifest = await testServer({ config: { persistedOperations: [join(ROOT, 'examples')], persistedOnly: true } });
    without = await testServer({ config: { persistedOperations: [] } });
    urls = { withManifest: (await withManifest.server.start(0)).url, without: (await without.server.start(0)).url };
  });
  afterAll(async () => {
    await withManifest?.close();
    await without?.close();
  });

  it('runs by hash alone where documents are refused (a token that is not an admin, CAIRN_PERSISTED_ONLY)', async () => {
    const viewer = await issueTestToken(withManifest.repos, { name: 'example-viewer', grants: [] });
    const request = cairnClient({ url: urls.withManifest, token: viewer, persisted: ids });
    expect(await request(FindEnvironmentDocument, variables)).toEqual({ apps: { edges: [] } });
    // The same call without the hashes sends the document, which this server refuses from that token.
    const error = await cairnClient({ url: urls.withManifest, token: viewer })(FindEnvironmentDocument, variables).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CairnRequestError);
    expect((error as CairnRequestError).codes).toEqual(['PERSISTED_QUERY_ONLY']);
  });

  it('sends the document once when the server does not know the hash', async () => {
    const request = cairnClient({ url: urls.without, token: without.adminToken, persisted: ids });
    expect(await request(FindEnvironmentDocument, variables)).toEqual({ apps: { edges: [] } });
    const runs = without.logs.lines().filter((l) => l.msg === 'request' && l.operationName === 'FindEnvironment').map((l) => l.status);
    expect(runs).toEqual([400, 200]); // PERSISTED_QUERY_NOT_FOUND, then the document
  });
});
