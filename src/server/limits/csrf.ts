import type { Plugin } from 'graphql-yoga';
import { limitError } from './errors.js';

/** Headers a browser cannot send cross-site without a CORS preflight (granted only to `corsOrigins`). */
export const PREFLIGHT_HEADERS = ['x-graphql-yoga-csrf', 'graphql-require-preflight', 'apollo-require-preflight'] as const;

/** Content types an HTML form (or a plain `fetch` without preflight) may send. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * CSRF prevention: a GraphQL request must be one a browser would only send after a CORS preflight —
 * a JSON body, a custom header (`x-graphql-yoga-csrf` …), or a bearer token in `Authorization` (cairn's
 * only credential, which a browser never attaches on its own). So a cross-site form post, link or
 * image cannot make a browser run an operation. Other routes (GraphiQL's page, health) are untouched.
 */
export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      if (isPreflighted(request.headers)) return;
      throw csrfRefusal();
    },
  };
}

/** The refusal of a request that was not preflighted: 403 CSRF_HEADER_REQUIRED (yoga's plugin, and the token gate from the headers alone). */
export function csrfRefusal() {
  return limitError(
    `This request could come from a browser on another site: send it with a JSON body (Content-Type: application/json), ` +
      `a bearer token, or one of the headers ${PREFLIGHT_HEADERS.join(', ')}.`,
    'CSRF_HEADER_REQUIRED',
    { status: 403 },
  );
}

/** Whether a browser would have had to preflight a request with these headers. */
export function isPreflighted(headers: Headers): boolean {
  const contentType = headers.get('content-type')?.trim().toLowerCase();
  if (contentType && !SIMPLE_CONTENT_TYPES.some((simple) => contentType.startsWith(simple))) return true;
  if (PREFLIGHT_HEADERS.some((name) => headers.has(name))) return true;
  return /^bearer\s/i.test(headers.get('authorization') ?? '');
}
