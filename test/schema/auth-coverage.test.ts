import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { describe, expect, it } from 'vitest';
import { authCoverageProblems } from '../../src/schema/auth-coverage.js';
import { REACHED_THROUGH_PARENT } from '../../src/schema/auth-rules.js';
import { schema } from '../../src/schema/index.js';

describe('every field has an access rule', () => {
  it('the cairn schema: every root field has authScopes and every object type a type-level rule', () => {
    expect(authCoverageProblems(schema)).toEqual([]);
  });

  it('names a root field and an object type that lack a rule, and passes those that have one', () => {
    const builder = new SchemaBuilder<{ AuthScopes: { authenticated: boolean } }>({
      plugins: [ScopeAuthPlugin],
      scopeAuth: { authScopes: () => ({ authenticated: true }) },
    });
    const Ruled = builder.objectRef<{ n: number }>('Ruled').implement({ authScopes: { authenticated: true }, fields: (t) => ({ n: t.exposeInt('n') }) });
    const Bare = builder.objectRef<{ n: number }>('Bare').implement({ fields: (t) => ({ n: t.exposeInt('n') }) });
    builder.queryType({
      fields: (t) => ({
        guarded: t.field({ type: Ruled, authScopes: { authenticated: true }, resolve: () => ({ n: 1 }) }),
        open: t.field({ type: Bare, resolve: () => ({ n: 2 }) }),
      }),
    });
    builder.mutationType({ fields: (t) => ({ change: t.boolean({ resolve: () => true }) }) });
    builder.subscriptionType({
      fields: (t) => ({ follow: t.boolean({ authScopes: { authenticated: true }, subscribe: async function* () {}, resolve: () => true }) }),
    });
    const problems = authCoverageProblems(builder.toSchema());
    expect(problems).toHaveLength(3);
    expect(problems).toContain('Mutation.change has no authScopes');
    expect(problems).toContain('Query.open has no authScopes');
    expect(problems.find((p) => p.startsWith('type Bare '))).toBeDefined();
    expect(problems.join('\n')).not.toMatch(/guarded|follow|Ruled/);
  });

  it('refuses REACHED_THROUGH_PARENT on a type that node(id:) loads directly', () => {
    const builder = new SchemaBuilder<{ AuthScopes: { authenticated: boolean } }>({
      plugins: [RelayPlugin, ScopeAuthPlugin],
      scopeAuth: { authScopes: () => ({ authenticated: true }) },
      relay: { nodeQueryOptions: { authScopes: { authenticated: true } }, nodesQueryOptions: { authScopes: { authenticated: true } }, pageInfoTypeOptions: { authScopes: REACHED_THROUGH_PARENT } },
    });
    const Thing = builder.objectRef<{ id: number }>('Thing');
    builder.node(Thing, { authScopes: REACHED_THROUGH_PARENT, id: { resolve: (t) => t.id }, loadOne: (id) => ({ id: Number(id) }), fields: () => ({}) });
    builder.queryType({ fields: (t) => ({ thing: t.field({ type: Thing, authScopes: { authenticated: true }, resolve: () => ({ id: 1 }) }) }) });
    expect(authCoverageProblems(builder.toSchema())).toEqual([
      'type Thing is a Node (node(id:) loads it directly) but is marked REACHED_THROUGH_PARENT: give it a rule of its own',
    ]);
  });
});
