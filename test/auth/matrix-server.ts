/**
 * cairn's real server (createCairn) on port 0 for the roles × operations matrix: two apps (shop = A, blog = B) on two fake clusters, a release order and a template, a
 * terminal session on A's production environment, and one token per role.
 */
import { eq } from 'drizzle-orm';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { pino } from 'pino';
import { createCairn } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import type { Repositories } from '../../src/db/repositories.js';
import type { TerminalEvent, TerminalInfo, Terminals } from '../../src/live/terminal.js';
import type { CairnServer } from '../../src/server/index.js';
import { bearer, issueTestToken } from '../helpers/auth.js';
import { alwaysReachable, clusterSources, testConfig } from '../helpers/cairn.js';
import { startFakePodsApi, type FakePodsApi } from '../helpers/fake-pods-api.js';

/** Who calls. `otherApp` is OWNER of B and nothing on A. */
export const ROLES = ['admin', 'owner', 'deployer', 'viewer', 'otherApp', 'expired', 'revoked', 'none'] as const;
export type Role = (typeof ROLES)[number];

/** The IDs the operations act on. */
export interface Fixture {
  appA: string;
  appB: string;
  envA: string;
  envATest: string;
  envB: string;
  orderA: string;
  templateId: string;
  instanceA: string;
  sessionA: string;
  /** A VIEWER of A that setAppMember and removeAppMember act on. */
  bystander: string;
}

export interface MatrixServer {
  url: string;
  server: CairnServer;
  repos: Repositories;
  database: Database;
  fx: Fixture;
  /** Each role's secret (null for `none`). */
  secrets: Record<Role, string | null>;
  /** Each role's token name: the actor of its audit entries. */
  names: Record<Role, string>;
  /** Runs an operation over HTTP (in-process) as the admin, failing on GraphQL errors. */
  admin(query: string, variables?: Record<string, unknown>): Promise<Record<string, any>>;
  /** Issues a throwaway token (revokeApiToken's target) and returns its global ID. */
  freshTokenId(): Promise<string>;
  close(): Promise<void>;
}

/** A session store with one open session on A's production environment (the terminal flow itself is tested in test/live/terminal.test.ts). */
function oneSessionTerminals(info: TerminalInfo): Terminals {
  const known = (id: string) => id === info.id;
  return {
    open: () => Promise.reject(new Error('no new sessions in the matrix test')),
    get: (id) => (known(id) ? info : undefined),
    output: (id) =>
      known(id)
        ? (async function* (): AsyncGenerator<TerminalEvent> {
            yield { kind: 'ended', reason: 'CLOSED', exitCode: null, sequence: 1 };
          })()
        : undefined,
    input: known,
    resize: known,
    close: known,
    size: 1,
    stop() {},
  };
}

export async function startMatrixServer(): Promise<MatrixServer> {
  const pods: FakePodsApi = await startFakePodsApi();
  // Generous limits: the matrix sends hundreds of operations per token.
  const config = testConfig({ rateLimitPerMinute: 1_000_000, maxSubscriptionsPerToken: 1000, shutdownTimeoutMs: 500 });
  const logger = pino({ level: 'silent' });
  const sessionInfo: TerminalInfo = {
    id: 'session-a',
    namespace: 'cairn-shop',
    pod: 'shop-production-r1-x',
    container: 'shop',
    owner: { cluster: 'alpha', environmentId: 0, tokenId: null },
    openedAt: new Date(),
    lastInputAt: new Date(),
    lastPongAt: null,
    idleTimeoutMs: 600_000,
    outputTail: '',
  };
  // The release engine does not run: the fake clusters cannot run the order.
  const cairn = await createCairn(config, {
    logger,
    kubeconfig: { documents: clusterSources(['alpha', 'beta'], pods.url) },
    testing: { check: alwaysReachable, runEngine: false, bootstrapAdminToken: false, terminals: oneSessionTerminals(sessionInfo) },
  });
  const { url } = await cairn.start();
  const { server, repos } = cairn;
  const { database } = cairn;

  const adminSecret = await issueTestToken(repos, { name: 'matrix-admin', admin: true });
  const admin: MatrixServer['admin'] = async (query, variables) => {
    const res = await server.yoga.fetch('http://cairn.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(adminSecret) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await res.json()) as { data?: Record<string, any>; errors?: unknown[] };
    if (body.errors) throw new Error(`admin setup failed: ${JSON.stringify(body.errors)}`);
    return body.data!;
  };

  const createApp = async (name: string) => {
    const data = await admin(
      `mutation ($input: CreateAppInput!) { createApp(input: $input) { __typename ... on CreateAppPayload { app { id environments { id kind } } } } }`,
      { input: { name, businessType: 'ERP', productionCluster: 'alpha', testCluster: 'beta', officialImage: 'NGINX' } },
    );
    const app = data.createApp.app as { id: string; environments: { id: string; kind: string }[] };
    return { id: app.id, production: app.environments.find((e) => e.kind === 'PRODUCTION')!.id, test: app.environments.find((e) => e.kind === 'TEST')!.id };
  };
  const shop = await createApp('shop');
  const blog = await createApp('blog');
  const order = await admin(
    `mutation ($input: CreateReleaseOrderInput!) { createReleaseOrder(input: $input) { __typename ... on ReleaseOrderPayload { releaseOrder { id } } } }`,
    { input: { environment: shop.production, batchCount: 1, pauseMode: 'FIRST_BATCH' } },
  );
  if (order.createReleaseOrder.__typename !== 'ReleaseOrderPayload') throw new Error(`no release order: ${JSON.stringify(order)}`);
  const template = await admin(
    `mutation ($input: SaveTemplateInput!) { saveTemplate(input: $input) { __typename ... on SaveTemplatePayload { template { id } } } }`,
    { input: { environment: shop.production, name: 'matrix-template' } },
  );
  const local = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
  sessionInfo.owner.environmentId = local(shop.production);

  const appA = local(shop.id);
  const appB = local(blog.id);
  const secrets: Record<Role, string | null> = {
    admin: await issueTestToken(repos, { name: 'role-admin', admin: true }),
    owner: await issueTestToken(repos, { name: 'role-owner', grants: [{ appId: appA, role: 'OWNER' }] }),
    deployer: await issueTestToken(repos, { name: 'role-deployer', grants: [{ appId: appA, role: 'DEPLOYER' }] }),
    viewer: await issueTestToken(repos, { name: 'role-viewer', grants: [{ appId: appA, role: 'VIEWER' }] }),
    otherApp: await issueTestToken(repos, { name: 'role-other-app', grants: [{ appId: appB, role: 'OWNER' }] }),
    expired: await issueTestToken(repos, { name: 'role-expired', grants: [{ appId: appA, role: 'OWNER' }], expiresAt: new Date(Date.now() + 3_600_000) }),
    revoked: await issueTestToken(repos, { name: 'role-revoked', admin: true }),
    none: null,
  };
  // Expired an hour ago (a token cannot be issued already expired), and revoked.
  const { apiTokens } = database.t;
  await database.write((db) => db.update(apiTokens).set({ expiresAt: new Date(Date.now() - 3_600_000) }).where(eq(apiTokens.name, 'role-expired')));
  await repos.tokens.revoke((await repos.tokens.byName('role-revoked'))!.id, new Date());
  await issueTestToken(repos, { name: 'bystander', grants: [{ appId: appA, role: 'VIEWER' }] });
  // A second OWNER of A, so that the last-OWNER rule never refuses what the matrix asks.
  await issueTestToken(repos, { name: 'second-owner', grants: [{ appId: appA, role: 'OWNER' }] });

  const bystander = (await repos.tokens.byName('bystander'))!.id;
  const names = { admin: 'role-admin', owner: 'role-owner', deployer: 'role-deployer', viewer: 'role-viewer', otherApp: 'role-other-app', expired: 'role-expired', revoked: 'role-revoked', none: 'anonymous' } satisfies Record<Role, string>;
  let fresh = 0;
  return {
    url,
    server,
    repos,
    database,
    secrets,
    names,
    fx: {
      appA: shop.id,
      appB: blog.id,
      envA: shop.production,
      envATest: shop.test,
      envB: blog.production,
      orderA: order.createReleaseOrder.releaseOrder.id,
      templateId: template.saveTemplate.template.id,
      instanceA: encodeGlobalID('Instance', `${local(shop.production)}/shop-production-r1-x`),
      sessionA: sessionInfo.id,
      bystander: encodeGlobalID('ApiToken', bystander),
    },
    admin,
    freshTokenId: async () => {
      const name = `throwaway-${++fresh}`;
      await issueTestToken(repos, { name });
      return encodeGlobalID('ApiToken', (await repos.tokens.byName(name))!.id);
    },
    async close() {
      await cairn.stop();
      await pods.stop();
    },
  };
}
