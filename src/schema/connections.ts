/**
 * Offset-paged connections (Pothos relay's `resolveOffsetConnection` / `resolveArrayConnection`) with
 * their arguments checked first: a cursor that is not one this kind of list hands out, or a negative
 * `first` / `last`, is a BAD_USER_INPUT error naming the argument — never the plugin's bare
 * "Invalid offset cursor", and never a cursor read as NaN.
 */
import { resolveArrayConnection, resolveOffsetConnection } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';

/** The paging arguments of a connection field. */
export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

const BASE64 = /^[A-Za-z0-9+/]{1,64}={0,2}$/;
const OFFSET_CURSOR = /^OffsetConnection:(0|[1-9][0-9]{0,8})$/;

function badArgument(arg: string, message: string): GraphQLError {
  return new GraphQLError(`${arg}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', argument: arg } });
}

/** Throws BAD_USER_INPUT (naming the argument) unless every paging argument is one this list accepts. */
export function checkPageArgs(args: PageArgs): void {
  for (const arg of ['after', 'before'] as const) {
    const cursor = args[arg];
    if (cursor == null) continue;
    const text = BASE64.test(cursor) ? Buffer.from(cursor, 'base64').toString('utf8') : '';
    if (!OFFSET_CURSOR.test(text)) throw badArgument(arg, 'not a cursor of this list; pass an edge\'s cursor as it was given.');
  }
  for (const arg of ['first', 'last'] as const) {
    const n = args[arg];
    if (n != null && n < 0) throw badArgument(arg, 'at least 0.');
  }
}

/** `resolveOffsetConnection` after `checkPageArgs`. */
export const offsetConnection: typeof resolveOffsetConnection = (options, resolve) => {
  checkPageArgs(options.args);
  return resolveOffsetConnection(options, resolve);
};

/** `resolveArrayConnection` after `checkPageArgs`, with `totalCount` (the array's length). */
export function arrayConnection<T>(args: PageArgs, array: T[]) {
  checkPageArgs(args);
  return { ...resolveArrayConnection({ args }, array), totalCount: array.length };
}
