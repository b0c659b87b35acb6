/**
 * The request target's path, normalised as a URL parser does (dot segments, `\` for `/`), without
 * its query; an absolute-form target (`http://host/graphql`, as proxies send) gives its own path.
 * A target that starts with `/` is always a path (`//graphql` is not a host named graphql). Null when
 * it does not parse (`*`).
 */
export function pathOf(target: string | undefined): string | null {
  const url = target ?? '/';
  try {
    return (url.startsWith('/') ? new URL(`http://x${url}`) : new URL(url)).pathname;
  } catch {
    return null;
  }
}

/**
 * The request target in origin form (`/graphql?query=…`): an absolute-form target (`http://host/graphql?…`,
 * which HTTP/1.1 servers must accept and proxies send) loses its scheme, host and credentials, which the
 * HTTP layer below yoga cannot parse (it would answer 500 with a stack trace). Anything else is kept as is.
 */
export function originForm(target: string | undefined): string | undefined {
  if (target === undefined || target.startsWith('/')) return target;
  try {
    const url = new URL(target);
    return `${url.pathname}${url.search}`;
  } catch {
    return target;
  }
}
