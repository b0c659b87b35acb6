/**
 * `load`, run once and its result kept — but only a result: a load that fails is forgotten as soon as it
 * has failed, so the callers waiting on it see the error and the next call loads again (one transient
 * failure must not break a page until the server restarts). Concurrent calls share one load in flight.
 */
export function cacheSuccess<T>(load: () => Promise<T>): () => Promise<T> {
  let kept: Promise<T> | undefined;
  return () => {
    kept ??= Promise.resolve()
      .then(load)
      .catch((error: unknown) => {
        kept = undefined;
        throw error;
      });
    return kept;
  };
}

/** The answer to a page whose load failed: 503, to be tried again shortly, never cached, the cause in the server's log. */
export function unavailable(what: string): { status: 503; body: string; headers: Record<string, string> } {
  return {
    status: 503,
    body: `${what} could not be loaded just now (the cause is in the server's log); reload to try again.\n`,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '1' },
  };
}
