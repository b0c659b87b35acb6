import type { ExecutionResult, FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';

/**
 * A result as graphql-ws sends it, without the `extensions.http` that errors carry for HTTP (status,
 * headers: yoga strips it from HTTP and SSE responses; over a WebSocket it means nothing).
 */
export function withoutHttpExtensions(result: ExecutionResult): FormattedExecutionResult {
  if (!result.errors?.length) return result as FormattedExecutionResult;
  return { ...(result as FormattedExecutionResult), errors: result.errors.map(formatWithoutHttp) };
}

export function formatWithoutHttp(error: GraphQLError): GraphQLFormattedError {
  const formatted = error.toJSON();
  if (!formatted.extensions || !('http' in formatted.extensions)) return formatted;
  const { http: _http, ...extensions } = formatted.extensions;
  const { extensions: _all, ...rest } = formatted;
  return Object.keys(extensions).length > 0 ? { ...rest, extensions } : rest;
}
