/**
 * CAIRN_DATABASE_URL (validated in src/config.ts, databaseUrlProblem): a form safe to log (no password),
 * and the refusal to start on PostgreSQL until the repositories serve it.
 */

/** The URL without its password, to log or show: `postgres://cairn@db:5432/cairn`. */
export function redactedDatabaseUrl(text: string): string {
  const socket = /^[a-z]+:\/\/[^/]*@\//i.test(text); // postgres://user@/db?host=/run/postgresql
  try {
    const url = new URL(socket ? text.replace('@/', '@socket/') : text);
    const folder = url.searchParams.get('host');
    url.password = '';
    url.search = folder ? `?host=${folder}` : '';
    return url.toString().replace('@socket/', '@/');
  } catch {
    return '(not a URL)';
  }
}

/** CAIRN_DATABASE_URL is set, but the repositories run on SQLite only so far. */
export class PostgresNotWiredError extends Error {
  override name = 'PostgresNotWiredError';
  readonly code = 'POSTGRES_NOT_WIRED';
  constructor(url: string) {
    super(
      `CAIRN_DATABASE_URL is set (${redactedDatabaseUrl(url)}), but PostgreSQL is not yet wired to cairn's repositories: this version keeps its data in SQLite only. ` +
        'Unset CAIRN_DATABASE_URL to use SQLite (CAIRN_DATABASE, default data/cairn.db); cairn does not fall back to SQLite by itself.',
    );
  }
}

/** Refuses to start on PostgreSQL until the repositories serve it: never a silent fallback to SQLite. */
export function refusePostgresUntilWired(databaseUrl: string | undefined): void {
  if (databaseUrl !== undefined) throw new PostgresNotWiredError(databaseUrl);
}
