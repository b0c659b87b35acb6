/**
 * Every mutation is audited: `auditMutations(schema)` wraps the resolver of each field of the
 * Mutation type of a built schema — whatever fields it has, so a new mutation is audited without
 * code here. The wrapper sits outside everything Pothos put into the resolver (scope-auth's check,
 * the errors plugin), so it sees denials (thrown FORBIDDEN), typed failures (returned as the error
 * object: `errors: { directResult: true }`), successes and unexpected errors alike.
 *
 * When the entry is written: right after the resolver has finished, i.e. after the mutation's own
 * transaction has committed (the use cases behind the resolvers own their transactions, and some
 * await the cluster, so the entry cannot join them), on the same database, and awaited before the response is
 * sent. A client that got an answer can therefore find its entry. A failed write never fails the
 * mutation; it is logged with the whole masked entry instead (see writeAuditEntry).
 */
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { maskedInputJson } from './mask.js';
import { outcomeOfError, outcomeOfResult } from './outcome.js';
import { writeAuditEntry, type AuditContext } from './record.js';
import { NO_TARGET, targetOfInput, targetOfResult, type AuditTarget, type TargetContext } from './target.js';

/** What the wrapper needs of a resolver's context (the GraphQL Context has it). */
type Context = AuditContext & TargetContext;

const AUDITED = Symbol('cairn.audited');

/** Whether a resolver is the audit wrapper (test/audit checks that every mutation has it). */
export const isAudited = (resolve: unknown): boolean => typeof resolve === 'function' && AUDITED in resolve;

/** Runs `fn`; `fallback` when it throws or rejects (the audit never fails the audited action). */
async function safely<T>(ctx: Context, what: string, fn: () => T | Promise<T>, fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    ctx.logger.error({ error: error instanceof Error ? error.message : String(error) }, `audit: ${what} failed`);
    return fallback;
  }
}

/** Wraps every Mutation field's resolver of `schema` (in place) so that each call writes one audit entry; returns the schema. */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    if (isAudited(field.resolve)) continue;
    const resolve: GraphQLFieldResolver<unknown, Context> = field.resolve ?? defaultFieldResolver;
    const audited: GraphQLFieldResolver<unknown, Context> = async (source, args, ctx, info) => {
      const action = info.fieldName;
      const at = ctx.now();
      const input = await safely(ctx, 'masking the input', () => maskedInputJson(action, args), '"[the input could not be recorded]"');
      // Before the resolver runs: a deleted or closed object can no longer be traced to its app after.
      let target: AuditTarget = await safely(ctx, 'finding the target', () => targetOfInput(ctx, args), NO_TARGET);
      let result: unknown;
      try {
        result = await resolve(source, args, ctx, info);
      } catch (error) {
        await writeAuditEntry(ctx, action, target, input, outcomeOfError(error), at);
        throw error;
      }
      const outcome = outcomeOfResult(result);
      if (target.targetId === null && outcome.outcome === 'SUCCEEDED') {
        target = await safely(ctx, 'finding the created object', () => targetOfResult(ctx, field, result), NO_TARGET);
      }
      await writeAuditEntry(ctx, action, target, input, outcome, at);
      return result;
    };
    field.resolve = Object.assign(audited, { [AUDITED]: true });
  }
  return schema;
}
