/**
 * The rule that no field forgets its access rule: every root field (Query, Mutation, Subscription)
 * has `authScopes`, and every object type has a type-level `authScopes` — a real rule for the types
 * that belong to an app (auth-rules.ts `ownedByApp`), `REACHED_THROUGH_PARENT` for types only ever
 * reached through a field that checked the caller's rights. A type that `node(id:)` loads (a Node) is
 * reached directly, so it cannot be marked REACHED_THROUGH_PARENT. test/schema/auth-coverage.test.ts
 * runs it on the built schema.
 */
import { isObjectType, type GraphQLNamedType, type GraphQLSchema } from 'graphql';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';

const optionsOf = (o: { extensions?: unknown }): Record<string, unknown> | undefined =>
  (o.extensions as { pothosOptions?: Record<string, unknown> } | undefined)?.pothosOptions;

const hasRule = (o: { extensions?: unknown }) => optionsOf(o)?.authScopes !== undefined;

/** What lacks an access rule, one line each (e.g. "Query.apps has no authScopes"); empty when all is covered. */
export function authCoverageProblems(schema: GraphQLSchema): string[] {
  const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter((t) => t != null);
  const rootNames = new Set(roots.map((t) => t.name));
  const problems: string[] = [];
  for (const root of roots) {
    for (const field of Object.values(root.getFields())) {
      if (!hasRule(field)) problems.push(`${root.name}.${field.name} has no authScopes`);
    }
  }
  const types: GraphQLNamedType[] = Object.values(schema.getTypeMap());
  for (const type of types) {
    if (!isObjectType(type) || type.name.startsWith('__') || rootNames.has(type.name)) continue;
    if (!hasRule(type)) {
      problems.push(`type ${type.name} has no type-level authScopes (a rule of its own, or REACHED_THROUGH_PARENT when only authorized fields return it)`);
    } else if (optionsOf(type)?.authScopes === REACHED_THROUGH_PARENT && type.getInterfaces().some((i) => i.name === 'Node')) {
      problems.push(`type ${type.name} is a Node (node(id:) loads it directly) but is marked REACHED_THROUGH_PARENT: give it a rule of its own`);
    }
  }
  return problems.sort();
}
