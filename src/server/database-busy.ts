import { GraphQLError } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { DatabaseBusyError } from '../db/database.js';

/** How long a client should wait before asking again, in seconds. */
const RETRY_AFTER_SECONDS = 1;

/**
 * The error a client gets when the database was too busy to take its operation (a transaction waited past its bound,
 * or PostgreSQL could not order it among concurrent ones in its attempts): `DATABASE_BUSY`, with `retryAfterSeconds`
 * — nothing of it was written, and the same operation may simply be sent again. Null for any other error (masked as
 * unexpected). The message names no internals.
 */
export function databaseBusyError(error: unknown): GraphQLError | null {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  if (!(original instanceof DatabaseBusyError)) return null;
  const located = error instanceof GraphQLError ? error : undefined;
  return createGraphQLError(`The database is busy with other writes: nothing was changed; retry in ${RETRY_AFTER_SECONDS} s.`, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions: { code: 'DATABASE_BUSY', retryAfterSeconds: RETRY_AFTER_SECONDS },
  });
}
