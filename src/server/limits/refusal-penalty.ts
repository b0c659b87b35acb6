import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.js';
import type { LimitCode } from './errors.js';

/**
 * Refusals that say the client sent something it should not have: they weigh more against its rate.
 * The limits' own codes, and an operation that does not parse (GRAPHQL_PARSE_FAILED); not yoga's other
 * HTTP 400s — a field name misspelt or a variable of the wrong type (GRAPHQL_VALIDATION_FAILED) is an
 * honest mistake and costs one operation like any other.
 */
const PENALIZED: ReadonlySet<string> = new Set<LimitCode | 'GRAPHQL_PARSE_FAILED' | 'REQUEST_ENTITY_TOO_LARGE'>([
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_TOKENS',
  'QUERY_TOO_COSTLY',
  'LIST_TOO_LONG',
  'JSON_TOO_DEEP',
  'PAYLOAD_TOO_LARGE',
  'REQUEST_ENTITY_TOO_LARGE',
  'GRAPHQL_PARSE_FAILED',
]);

/** yoga's refusal of a body that does not parse ("POST body sent invalid JSON.", "… invalid multipart data: …"), code BAD_REQUEST. */
const UNPARSABLE_BODY = /^POST body sent invalid /;

/** Whether a result refuses the operation for one of the penalized reasons, or its body could not be parsed. */
export function isPenalized(errors: readonly Pick<GraphQLError, 'message' | 'extensions'>[] | undefined): boolean {
  return (errors ?? []).some((error) => {
    const code = error.extensions?.code;
    if (typeof code !== 'string') return false;
    return PENALIZED.has(code) || (code === 'BAD_REQUEST' && UNPARSABLE_BODY.test(error.message));
  });
}

/**
 * Over HTTP and SSE: when an authenticated request's result is such a refusal, `refused(tokenId)`
 * (the token's bucket pays REFUSAL_WEIGHT operations for it), so a token that floods the server with
 * operations the limits refuse is soon refused at the token gate, before its bodies are read.
 * `contextOf` finds the request's context (from the token gate or authenticate-first).
 */
export function useRefusalPenalty(contextOf: (request: Request, serverContext: Record<string, unknown>) => Context | undefined, refused: (tokenId: number) => void): Plugin {
  return {
    onResultProcess({ request, result, serverContext }) {
      if (Array.isArray(result) || !('errors' in result) || !isPenalized(result.errors as GraphQLError[] | undefined)) return;
      const tokenId = contextOf(request, serverContext as Record<string, unknown>)?.viewer?.tokenId;
      if (tokenId !== undefined) refused(tokenId);
    },
  };
}
