/**
 * The database's part of /readyz: whether it answers one trivial query (`Database.ping`) within a bound. Probes
 * that arrive while a ping is in flight share it: a burst of probes sends one query, not one each.
 */
import type { Database } from '../db/database.js';

/** How long the database may take to answer before /readyz says it does not (a probe's own timeout is often 1 s). */
export const DATABASE_PING_TIMEOUT_MS = 900;

/** The reasons the database gives not to be ready: none, or one sentence. */
export function databaseReadiness(database: Pick<Database, 'ping'>, timeoutMs = DATABASE_PING_TIMEOUT_MS): () => Promise<string[]> {
  let inFlight: Promise<string[]> | null = null;
  const check = async (): Promise<string[]> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    try {
      const answered = await Promise.race([database.ping().then(() => 'answered' as const), late]);
      return answered === 'late' ? [`the database did not answer within ${timeoutMs} ms`] : [];
    } catch (error) {
      return [`the database does not answer: ${error instanceof Error ? error.message : String(error)}`];
    } finally {
      clearTimeout(timer);
    }
  };
  return () =>
    (inFlight ??= check().finally(() => {
      inFlight = null;
    }));
}
