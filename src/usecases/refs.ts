/**
 * How a use case names the objects its caller names. The caller (a resolver, the command line, a
 * test) decodes its own identifiers into database IDs; a use case looks each object up where its
 * rules say, so the first problem reported is the same whichever layer decoded the input.
 */
import { NotFoundError } from '../domain/errors.js';
import { globalIdOf } from '../domain/global-ids.js';

/**
 * An object the caller named: its database ID, or null when what the caller sent names nothing
 * of the expected type (a malformed ID, one of another type). `sent` is the identifier as the caller
 * sent it, which a NotFoundError quotes; by default the object's global ID.
 */
export interface IdRef {
  id: number | null;
  sent?: string;
}

/** The NotFoundError for `ref`, a `typename` at `path`. */
export function notFound(typename: string, ref: IdRef, path: string[]): NotFoundError {
  return new NotFoundError(typename, ref.sent ?? globalIdOf(typename, ref.id ?? ''), path);
}

/** The object `ref` names, by `load`; a NotFoundError (a `typename` at `path`) when it names none. */
export async function lookUp<T>(
  ref: IdRef,
  typename: string,
  path: string[],
  load: (id: number) => Promise<T | undefined> | T | undefined,
): Promise<T> {
  const found = ref.id === null ? undefined : await load(ref.id);
  if (found === undefined) throw notFound(typename, ref, path);
  return found;
}
