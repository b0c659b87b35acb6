/**
 * What use cases depend on. Each use case names the part it needs; the GraphQL Context holds them
 * all, so a resolver passes its context, and a test passes just these.
 */
import type { Logger } from 'pino';
import type { Viewer } from '../auth/roles.js';
import type { Repositories } from '../db/repositories.js';

/** The repositories `K`, and `transaction` to make a use case all-or-nothing. */
export type ReposOf<K extends keyof Repositories> = Pick<Repositories, K | 'transaction'>;

/** The clock (injected so that tests control time) and the log. */
export interface Basics {
  now: () => Date;
  logger: Pick<Logger, 'info'>;
}

/** Who acts: the API token of the request; absent outside a request. */
export interface Acting {
  viewer?: Viewer | undefined;
}
