/**
 * The app-owned types' own rules with real live status (a sandbox cluster): a VIEWER of the app
 * follows its instances over graphql-ws and SSE and reads them through node(id:); a token without a
 * role on it gets FORBIDDEN for the stream and null for the node.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { issueTestToken } from '../helpers/auth.js';
import { INSTANCES_CHANGED, startLiveHarness, type LiveHarness } from '../live/harness.js';
import { createCaller, type Caller } from './transports.js';
import { createApp } from '../helpers/operations.js';
import type { TestApi } from '../helpers/api.js';

let h: LiveHarness;
let caller: Caller;
let viewer: string;
let stranger: string;

beforeAll(async () => {
  h = await startLiveHarness();
  caller = createCaller(h.server, h.url);
  const app = (await h.repos.apps.byName('web'))!;
  viewer = await issueTestToken(h.repos, { name: 'web-viewer', grants: [{ appId: app.id, role: 'VIEWER' }] });
  stranger = await issueTestToken(h.repos, { name: 'no-role', grants: [] });
  await h.createPod('web-production-r1-a');
});

afterAll(async () => {
  await caller?.close();
  await h?.close();
});

it.each(['ws', 'sse'] as const)('over %s: a VIEWER gets the snapshot with the instances; a token without a role is refused', async (transport) => {
  const seen = await caller.run(transport, viewer, INSTANCES_CHANGED, { environment: h.env.id });
  expect(seen.errors).toEqual([]);
  expect(seen.value).toMatchObject({ kind: 'SNAPSHOT', instances: [{ name: 'web-production-r1-a' }] });
  const refused = await caller.run(transport, stranger, INSTANCES_CHANGED, { environment: h.env.id });
  expect(refused.forbidden).toBe(true);
  expect(refused.value ?? null).toBeNull();
});

it('node(id:) of an instance: its fields for a VIEWER, null for a token without a role', async () => {
  const envLocal = Buffer.from(h.env.id, 'base64').toString().split(':')[1];
  const id = encodeGlobalID('Instance', `${envLocal}/web-production-r1-a`);
  const query = 'query ($id: ID!) { node(id: $id) { id ... on Instance { name environment { kind } } } }';
  const seen = await caller.run('http', viewer, query, { id });
  expect(seen.errors).toEqual([]);
  expect(seen.value).toEqual({ id, name: 'web-production-r1-a', environment: { kind: 'PRODUCTION' } });
  const hidden = await caller.run('http', stranger, query, { id });
  expect(hidden.errors).toEqual([]);
  expect(hidden.value).toBeNull();
});

it('nodes(ids:) with another app\'s instances: null, and that app\'s namespace is not even watched', async () => {
  const other = await createApp({ gql: h.gql } as unknown as TestApi, 'elsewhere', { officialImage: 'NGINX' });
  const namespace = (other.production as unknown as { namespace: string }).namespace;
  const envLocal = Buffer.from(other.production.id, 'base64').toString().split(':')[1];
  const ids = ['a', 'b', 'c'].map((pod) => encodeGlobalID('Instance', `${envLocal}/${pod}`));
  // A visible ID (a cluster's) among them makes the relay plugin load every ID of the list.
  const cluster = encodeGlobalID('Cluster', 'alpha');
  const hidden = await caller.run('http', stranger, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [cluster, ...ids] });
  expect(hidden.errors).toEqual([]);
  expect(hidden.value).toEqual([{ id: cluster }, null, null, null]);
  expect(h.cluster.counters.requests({ resource: 'pods', namespace })).toEqual([]);
});
