/**
 * CAIRN_DATABASE_URL (validated in src/config.ts, databaseUrlProblem): a form safe to log (no password), and
 * opening the database the configuration names — PostgreSQL when CAIRN_DATABASE_URL is set, else the SQLite file
 * at CAIRN_DATABASE. Never a fallback from one to the other.
 */
import type { Logger } from 'pino';
import { openDatabase } from '../client.js';
import type { Database } from '../database.js';
import { openPostgresDatabase, type PostgresDatabaseOptions } from './database.js';

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

/** CAIRN_DATABASE_URL is set, but the PostgreSQL database could not be opened (unreachable, refused, migration failed). */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
  readonly code = 'DATABASE_UNAVAILABLE';
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `cannot open the PostgreSQL database CAIRN_DATABASE_URL names (${redactedDatabaseUrl(url)}): ${scrub(why, url)}. ` +
        'Check that it runs and accepts this user; cairn does not fall back to SQLite by itself.',
      { cause },
    );
  }
}

/** A driver's message never repeats the password; should one ever, it is cut out here. */
function scrub(message: string, url: string): string {
  let password = '';
  try {
    password = decodeURIComponent(new URL(url.replace(/^([a-z]+:\/\/[^/]*@)\//i, '$1socket/')).password);
  } catch {
    return message;
  }
  return password ? message.split(password).join('***') : message;
}

/** What the configuration says about the database. */
export interface DatabaseChoice {
  databasePath: string;
  databaseUrl?: string | undefined;
}

/** Where the configured database is, safe to log: `{ databaseUrl }` (without its password) or `{ databasePath }`. */
export function databaseWhere(config: DatabaseChoice): { databaseUrl: string } | { databasePath: string } {
  return config.databaseUrl !== undefined ? { databaseUrl: redactedDatabaseUrl(config.databaseUrl) } : { databasePath: config.databasePath };
}

/**
 * Opens (and migrates) the database the configuration names: PostgreSQL at CAIRN_DATABASE_URL when it is set —
 * a failure to reach it is a DatabaseUnavailableError naming the URL without its password — else the SQLite file.
 */
export async function openConfiguredDatabase(config: DatabaseChoice, options: { logger?: Pick<Logger, 'warn'>; postgres?: PostgresDatabaseOptions } = {}): Promise<Database> {
  const url = config.databaseUrl;
  if (url === undefined) return openDatabase(config.databasePath);
  const { logger } = options;
  try {
    return await openPostgresDatabase(url, {
      // An idle connection the server or the network dropped: the pool replaces it; the log says so.
      onIdleError: (error) => logger?.warn({ error: scrub(error.message, url) }, 'a PostgreSQL connection failed while idle (the pool replaces it)'),
      // The LISTEN connection (order events and revocations of the other replicas): lost, or not made again yet.
      notifications: {
        onError: (error, what) =>
          logger?.warn(
            { error: scrub(error.message, url), what },
            what === 'lost' ? 'the LISTEN connection to PostgreSQL was lost: making it again' : 'making the LISTEN connection to PostgreSQL again failed: trying again',
          ),
      },
      ...options.postgres,
    });
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'MIGRATION_TIMEOUT') throw error; // its own message says what to do
    throw new DatabaseUnavailableError(url, error);
  }
}
