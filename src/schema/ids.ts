import { decodeGlobalID } from '@pothos/plugin-relay';
import { NotFoundError } from '../domain/errors.js';

/**
 * The database ID inside a global ID of `typename`; a malformed ID or one of another type is a
 * NotFoundError at `path`, so that clients get a typed error rather than a GraphQL error.
 */
export function localId(globalId: string, typename: string, path: string[]): number {
  try {
    const { typename: actual, id } = decodeGlobalID(globalId);
    const n = Number(id);
    if (actual === typename && Number.isSafeInteger(n) && n > 0) return n;
  } catch {
    // fall through
  }
  throw new NotFoundError(typename, globalId, path);
}

/** The database ID inside a global ID of `typename`, or null when it names something else. */
export function localIdOrNull(globalId: string, typename: string): number | null {
  try {
    return localId(globalId, typename, []);
  } catch {
    return null;
  }
}
