import SchemaBuilder from '@pothos/core';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { describe, expect, it } from 'vitest';
import { authCoverageProblems } from '../../src/schema/auth-coverage.js';
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
});
