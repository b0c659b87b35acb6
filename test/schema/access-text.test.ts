/**
 * FORBIDDEN is documented the same way on every path: each Query, Mutation and Subscription field
 * ends with exactly one `Access:` sentence, and it is the sentence its access rule asks for
 * (src/schema/access-text.ts) — never an older wording ("Needs the OWNER role", "Admins only" …).
 */
import { isDeepStrictEqual } from 'node:util';
import { isObjectType, type GraphQLField } from 'graphql';
import { describe, expect, it } from 'vitest';
import { accessText, ADMINS, ADMINS_ELSE_NULL, ANY_TOKEN } from '../../src/schema/access-text.js';
import type { Access } from '../../src/schema/auth-rules.js';
import { schema } from '../../src/schema/index.js';

/** The sentence (or, for any valid token, its start) the field's rule asks for. */
function expectedSentence(field: GraphQLField<unknown, unknown>): string {
  const options = (field.extensions as { pothosOptions?: { authScopes?: unknown; unauthorizedResolver?: unknown } }).pothosOptions;
  const rule = options?.authScopes;
  if (isDeepStrictEqual(rule, { admin: true })) return options?.unauthorizedResolver ? ADMINS_ELSE_NULL : ADMINS;
  if (isDeepStrictEqual(rule, { authenticated: true })) return ANY_TOKEN.slice(0, -1);
  const access = (rule as { access?: Access } | undefined)?.access;
  if (!access) throw new Error(`${field.name}: its rule says nothing about what it asks (wrap it with withAccess)`);
  return accessText(access);
}

const OLD_WORDINGS = [/Needs (the|a) [A-Z]* ?role/, /\bAdmins only\b/, /Only admins/, /The app's OWNER or an admin/];

const roots = [schema.getQueryType()!, schema.getMutationType()!, schema.getSubscriptionType()!];
const rootNames = new Set(roots.map((r) => r.name));
const fields = roots.flatMap((root) => Object.values(root.getFields()).map((f) => [`${root.name}.${f.name}`, f] as const));
/** Fields of other types with a rule of their own (beyond their type's). */
const guarded = Object.values(schema.getTypeMap())
  .filter((type) => isObjectType(type) && !rootNames.has(type.name) && !type.name.startsWith('__'))
  .flatMap((type) => Object.values((type as import('graphql').GraphQLObjectType).getFields()).map((f) => [`${type.name}.${f.name}`, f] as const))
  .filter(([, f]) => (f.extensions as { pothosOptions?: { authScopes?: unknown } }).pothosOptions?.authScopes !== undefined);

describe('access sentences', () => {
  it('covers every root field', () => {
    expect(fields.length).toBeGreaterThan(40);
  });

  it('finds the fields of other types that have a rule of their own', () => {
    expect(guarded.map(([name]) => name)).toEqual(expect.arrayContaining(['App.members', 'AuditEntry.unmaskedInput']));
  });

  it.each([...fields, ...guarded])('%s says who may use it in the one wording', (_name, field) => {
    const description = field.description ?? '';
    expect(description.split('Access:').length - 1).toBe(1);
    expect(description).toContain(expectedSentence(field));
    for (const old of OLD_WORDINGS) expect(description).not.toMatch(old);
  });
});
