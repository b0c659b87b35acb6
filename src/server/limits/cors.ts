import type { CORSOptions } from 'graphql-yoga';

/**
 * CORS for the configured origins (`corsOrigins`): none → no CORS at all, so a browser lets only
 * same-origin pages (GraphiQL) read responses or send non-simple requests, and a page on another site
 * cannot pass the preflight that CSRF prevention requires. Bearer tokens are set explicitly by the
 * page, so credentials (cookies) are never allowed.
 */
export function corsOptions(origins: readonly string[]): CORSOptions | false {
  if (origins.length === 0) return false;
  return {
    origin: origins.includes('*') ? '*' : [...origins],
    credentials: false,
    exposedHeaders: ['Retry-After'],
  };
}
