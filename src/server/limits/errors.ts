import { createGraphQLError } from 'graphql-yoga';

/** The extensions.code of each limit's refusal. */
export type LimitCode =
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_TOKENS'
  | 'QUERY_TOO_COSTLY'
  | 'RATE_LIMITED'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'INTROSPECTION_DISABLED'
  | 'CSRF_HEADER_REQUIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'LIST_TOO_LONG'
  | 'JSON_TOO_DEEP';

/**
 * A refusal by one of the server's limits: a GraphQL error with a stable `extensions.code`, the limit
 * that was hit (`extensions.limit`), when to retry (`extensions.retryAfterSeconds`), and over HTTP an
 * optional status and headers.
 */
export function limitError(
  message: string,
  code: LimitCode,
  details: {
    limit?: number;
    retryAfterSeconds?: number;
    status?: number;
    headers?: Record<string, string>;
    /** More extensions naming what was refused (e.g. a list's argument and path). */
    about?: Record<string, unknown>;
  } = {},
) {
  const { limit, retryAfterSeconds, status, headers, about } = details;
  return createGraphQLError(message, {
    extensions: {
      code,
      ...(limit === undefined ? {} : { limit }),
      ...about,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
      ...(status === undefined ? {} : { http: { status, ...(headers ? { headers } : {}) } }),
    },
  });
}
