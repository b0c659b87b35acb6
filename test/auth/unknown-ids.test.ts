/**
 * An ID must not tell a caller which apps exist: for a token that is not an admin, an ID of an app
 * it has no role on is answered exactly as an ID that names nothing — null or NotFoundError for
 * reads, FORBIDDEN (with the same message) for actions and streams. Admins get the usual answers.
 * Lists show only what the caller may see.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { describe, expect, it } from 'vitest';
import type { MatrixServer } from './matrix-server.js';
import { useMatrix } from './use-matrix.js';
import type { Caller, Transport } from './transports.js';

let m: MatrixServer;
let caller: Caller;

useMatrix((running) => ({ m, caller } = running));

const MISSING_ENV = encodeGlobalID('Environment', 9999);
const run = (secret: string | null, query: string, variables: Record<string, unknown> = {}, transport: Transport = 'http') => caller.run(transport, secret, query, variables);

describe('a token with roles on app A only', () => {
  const owner = () => m.secrets.owner;

  it('reads: B\'s app, order and environment answer as IDs that name nothing', async () => {
    const app = 'query ($id: ID!) { app(id: $id) { id } }';
    for (const id of [m.fx.appB, encodeGlobalID('App', 9999), 'not-a-global-id']) {
      const o = await run(owner(), app, { id });
      expect(o.errors).toEqual([]);
      expect(o.value).toBeNull();
    }
    const preview = 'query ($e: ID!) { previewRelease(environment: $e, batchCount: 1) { __typename ... on NotFoundError { code path } } }';
    const ofB = await run(owner(), preview, { e: m.fx.envB });
    const missing = await run(owner(), preview, { e: MISSING_ENV });
    expect(ofB.errors).toEqual([]);
    expect(ofB.value).toEqual({ __typename: 'NotFoundError', code: 'NOT_FOUND', path: ['environment'] });
    expect(missing.value).toEqual(ofB.value);
  });

  it('node and nodes: objects of B are null like IDs that name nothing, in their places', async () => {
    const node = await run(owner(), 'query ($id: ID!) { node(id: $id) { id } }', { id: m.fx.envB });
    expect(node.errors).toEqual([]);
    expect(node.value).toBeNull();
    const nodes = await run(owner(), 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [m.fx.envB, m.fx.envA, MISSING_ENV, m.fx.appB, m.fx.appA] });
    expect(nodes.errors).toEqual([]);
    expect(nodes.value).toEqual([null, { id: m.fx.envA }, null, null, { id: m.fx.appA }]);
  });

  it('actions: an environment of B and one that does not exist are both FORBIDDEN, with the same message', async () => {
    const create = 'mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename } }';
    const input = (environment: string) => ({ input: { environment, batchCount: 1, pauseMode: 'NONE' } });
    const ofB = await run(owner(), create, input(m.fx.envB));
    const missing = await run(owner(), create, input(MISSING_ENV));
    const malformed = await run(owner(), create, input('garbage'));
    for (const o of [ofB, missing, malformed]) {
      expect(o.forbidden).toBe(true);
      expect(o.value ?? null).toBeNull(); // nothing ran: no typed result
    }
    expect(missing.errors.map((e) => e.message)).toEqual(ofB.errors.map((e) => e.message));
    expect(malformed.errors.map((e) => e.message)).toEqual(ofB.errors.map((e) => e.message));
    expect(ofB.errors[0]!.message).toContain('role-owner');
  });

  it('streams: the same over graphql-ws and SSE', async () => {
    const follow = 'subscription ($e: ID!) { instancesChanged(environment: $e) { kind } }';
    for (const transport of ['ws', 'sse'] as const) {
      const ofB = await run(owner(), follow, { e: m.fx.envB }, transport);
      const missing = await run(owner(), follow, { e: MISSING_ENV }, transport);
      expect(ofB.forbidden).toBe(true);
      expect(missing.forbidden).toBe(true);
      expect(missing.errors.map((e) => e.message)).toEqual(ofB.errors.map((e) => e.message));
    }
  });

  it('terminal sessions: an unknown session is NotFoundError (its ID is an unguessable secret and names no app)', async () => {
    const o = await run(m.secrets.deployer, 'mutation ($input: SendTerminalInputInput!) { sendTerminalInput(input: $input) { __typename } }', {
      input: { session: 'no-such-session', data: '' },
    });
    expect(o.errors).toEqual([]);
    expect(o.value).toEqual({ __typename: 'NotFoundError' });
  });

  it('apps lists only A, with its count, and filters within what it may see', async () => {
    const apps = 'query ($p: String) { apps(namePrefix: $p) { totalCount edges { node { name } } } }';
    expect((await run(owner(), apps)).value).toEqual({ totalCount: 1, edges: [{ node: { name: 'shop' } }] });
    expect((await run(owner(), apps, { p: 'SH' })).value).toEqual({ totalCount: 1, edges: [{ node: { name: 'shop' } }] });
    expect((await run(owner(), apps, { p: 'b' })).value).toEqual({ totalCount: 0, edges: [] });
    expect((await run(m.secrets.otherApp, apps)).value).toEqual({ totalCount: 1, edges: [{ node: { name: 'blog' } }] });
    const all = (await run(m.secrets.admin, apps)).value as { totalCount: number; edges: { node: { name: string } }[] };
    expect(all.edges.map((e) => e.node.name)).toEqual(expect.arrayContaining(['blog', 'shop']));
  });
});

describe('an admin', () => {
  it('gets NotFoundError for an environment that does not exist, and null for a missing app', async () => {
    const create = await run(m.secrets.admin, 'mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename } }', {
      input: { environment: MISSING_ENV, batchCount: 1, pauseMode: 'NONE' },
    });
    expect(create.errors).toEqual([]);
    expect(create.value).toEqual({ __typename: 'NotFoundError' });
    const app = await run(m.secrets.admin, 'query ($id: ID!) { app(id: $id) { id } }', { id: encodeGlobalID('App', 9999) });
    expect(app.value).toBeNull();
  });

  it('nodes answers each ID in its place, whatever the database order', async () => {
    const ids = [m.fx.envB, m.fx.envATest, m.fx.envA, m.fx.appB, m.fx.appA];
    const o = await run(m.secrets.admin, 'query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(o.errors).toEqual([]);
    expect(o.value).toEqual(ids.map((id) => ({ id })));
  });
});

