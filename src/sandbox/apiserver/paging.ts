/**
 * List chunking: `limit` and opaque `continue` tokens, as etcd3's store encodes them (base64 JSON
 * with the list's resourceVersion and the key to start after). A token older than the watch window
 * gets 410 Expired, as a real server answers a token whose snapshot was compacted.
 */
import type { KubeObject } from '../store/types.js';
import { ApiError, badRequest } from './errors.js';

interface Token {
  v: 'meta.k8s.io/v1';
  rv: number;
  start: string;
}

export const sortKey = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function encodeContinue(rv: number, lastKey: string): string {
  const token: Token = { v: 'meta.k8s.io/v1', rv, start: `${lastKey}\u0000` };
  return Buffer.from(JSON.stringify(token)).toString('base64');
}

export function decodeContinue(value: string): Token {
  try {
    const token = JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Token;
    if (token.v !== 'meta.k8s.io/v1' || typeof token.rv !== 'number' || typeof token.start !== 'string') throw new Error('bad token');
    return token;
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export interface Page {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/**
 * One page of a list. `items` is the full current list, `resourceVersion` its version; `oldest` is the
 * oldest version still retained (tokens from before it are expired).
 */
export function page(items: KubeObject[], resourceVersion: string, limit: number | undefined, cont: string | undefined, oldest: number): Page {
  const sorted = [...items].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  let start = 0;
  let rv = resourceVersion;
  if (cont) {
    const token = decodeContinue(cont);
    if (token.rv < oldest) {
      throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
    }
    rv = String(token.rv);
    const after = token.start.replace(/\u0000$/, '');
    start = sorted.findIndex((o) => sortKey(o) > after);
    if (start < 0) start = sorted.length;
  }
  if (!limit || limit <= 0 || start + limit >= sorted.length) return { items: sorted.slice(start), resourceVersion: rv };
  const chunk = sorted.slice(start, start + limit);
  return {
    items: chunk,
    resourceVersion: rv,
    continue: encodeContinue(Number(rv), sortKey(chunk[chunk.length - 1]!)),
    remainingItemCount: sorted.length - start - limit,
  };
}
