/**
 * The rule helpers (src/schema/auth-rules.ts) and the type-level rule of every app-owned type: each
 * names the app its object belongs to, found through the repositories.
 */
import { RequestCache } from '@pothos/plugin-scope-auth';
import { encodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_OWNED_TYPES, appIdOfGlobalId, appIdOfTerminal } from '../../src/schema/auth-app-ids.js';
import { ADMIN_ONLY, AUTHENTICATED, appRule, freshChecksPerEvent, idIn, ownedByApp, readRule } from '../../src/schema/auth-rules.js';
import { builder } from '../../src/schema/builder.js';
import type { Context } from '../../src/schema/context.js';
import { schema } from '../../src/schema/index.js';
import { startMatrixServer, type MatrixServer } from './matrix-server.js';

let m: MatrixServer;
let ctx: Context;
const local = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);

beforeAll(async () => {
  m = await startMatrixServer();
  ctx = { repos: m.repos } as Context;
});

afterAll(async () => {
  await m?.close();
});

describe('rule helpers', () => {
  const byEnv = idIn((a: { e: string }) => a.e, 'Environment');

  it('appRule: the role on the app the ID names; an ID that names nothing is for admins (or anyone, for unguessable IDs)', async () => {
    expect(await appRule('DEPLOYER', byEnv)(null, { e: m.fx.envA }, ctx)).toEqual({ app: { id: local(m.fx.appA), role: 'DEPLOYER' } });
    expect(await appRule('DEPLOYER', byEnv)(null, { e: encodeGlobalID('Environment', 9999) }, ctx)).toBe(ADMIN_ONLY);
    expect(await appRule('DEPLOYER', byEnv)(null, { e: m.fx.appA }, ctx)).toBe(ADMIN_ONLY); // an ID of another type names no environment
    expect(await appRule('DEPLOYER', byEnv, 'everyone')(null, { e: 'nonsense' }, ctx)).toBe(AUTHENTICATED);
  });

  it('readRule: VIEWER on the app; an ID that names nothing passes, for the resolver to answer null', async () => {
    expect(await readRule(byEnv)(null, { e: m.fx.envB }, ctx)).toEqual({ app: { id: local(m.fx.appB), role: 'VIEWER' } });
    expect(await readRule(byEnv)(null, { e: 'nonsense' }, ctx)).toBe(AUTHENTICATED);
  });

  it('ownedByApp: VIEWER on the object\'s app; an object whose app is gone is for admins', async () => {
    expect(await ownedByApp(() => 7)({}, ctx)).toEqual({ app: { id: 7, role: 'VIEWER' } });
    expect(await ownedByApp(() => null)({}, ctx)).toBe(ADMIN_ONLY);
  });

  it('finds the app of every kind of ID: app, environment, order, instance, terminal session', async () => {
    const a = local(m.fx.appA);
    expect(await appIdOfGlobalId(ctx, m.fx.appA, ['App'])).toBe(a);
    expect(await appIdOfGlobalId(ctx, m.fx.envATest, ['Environment'])).toBe(a);
    expect(await appIdOfGlobalId(ctx, m.fx.orderA, ['ReleaseOrder'])).toBe(a);
    expect(await appIdOfGlobalId(ctx, m.fx.instanceA, ['Instance'])).toBe(a);
    expect(await appIdOfGlobalId(ctx, { typename: 'Environment', id: String(local(m.fx.envB)) }, ['Environment'])).toBe(local(m.fx.appB));
    expect(await appIdOfGlobalId(ctx, encodeGlobalID('Instance', 'no-slash'), ['Instance'])).toBeNull();
    expect(await appIdOfGlobalId(ctx, m.fx.templateId, ['App', 'Environment'])).toBeNull();
    expect(await appIdOfTerminal({ ...ctx, terminals: { get: (id: string) => (id === 's' ? { owner: { environmentId: local(m.fx.envB) } } : undefined) } } as unknown as Context, 's')).toBe(
      local(m.fx.appB),
    );
  });

  it('freshChecksPerEvent: the next event starts with an empty check cache', () => {
    const subscriptionCtx = { repos: m.repos } as Context;
    const first = RequestCache.fromContext(subscriptionCtx, builder as never);
    expect(RequestCache.fromContext(subscriptionCtx, builder as never)).toBe(first);
    expect(freshChecksPerEvent('payload', subscriptionCtx)).toBe('payload');
    expect(RequestCache.fromContext(subscriptionCtx, builder as never)).not.toBe(first);
  });
});

describe('the app-owned types', () => {
  const ruleOf = (name: string) => (schema.getType(name) as GraphQLObjectType).extensions.pothosOptions as { authScopes: (parent: unknown, ctx: Context) => unknown };

  it('each has a rule of its own (a function of the object), never a mark', () => {
    for (const name of [...APP_OWNED_TYPES, 'ReleaseBatch']) expect(typeof ruleOf(name).authScopes, name).toBe('function');
  });

  it('each rule asks for VIEWER on the app its object belongs to', async () => {
    const envA = (await m.repos.apps.environmentsByIds([local(m.fx.envA)]))[0]!;
    const order = (await m.repos.releases.order(local(m.fx.orderA)))!;
    const objects: Record<string, unknown> = {
      App: (await m.repos.apps.byIds([local(m.fx.appA)]))[0],
      Environment: envA,
      DeploymentConfig: await m.repos.configs.byEnvironmentId(envA.id),
      ReleaseOrder: order,
      Revision: await m.repos.releases.revision(order.environmentId, order.toRevision),
      Instance: { environmentId: envA.id, name: 'shop-production-r1-x' },
      ReleaseBatch: { order },
    };
    for (const [name, object] of Object.entries(objects)) {
      expect(object, name).toBeDefined();
      expect(await ruleOf(name).authScopes(object, ctx), name).toEqual({ app: { id: local(m.fx.appA), role: 'VIEWER' } });
    }
  });
});
