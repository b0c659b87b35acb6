import type { ApiTokenRow } from '../db/auth-tables.js';
import type { TokenReads } from './cached-token-reads.js';
import type { Viewer } from './roles.js';
import { hashTokenSecret, TOKEN_PREFIX } from './secret.js';

/** Why a request carries no usable token; the message says what to do. */
export class AuthenticationError extends Error {
  constructor(
    readonly reason: 'MISSING' | 'MALFORMED' | 'UNKNOWN' | 'REVOKED' | 'EXPIRED',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/**
 * The token in an `Authorization` value ("Bearer <token>"). graphql-ws clients put the same value
 * in their connection_init payload as `Authorization` (or `authorization`), or the bare token as `token`.
 */
export function bearerToken(authorization: string | null | undefined): string {
  if (!authorization?.trim()) throw MISSING;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
  if (!match) throw MALFORMED;
  return match[1]!;
}

// The refusals that name no token are one instance each: refusing a flood of them builds no error (and no stack trace) per request.
const MISSING = new AuthenticationError('MISSING', 'This API needs a token: send the header "Authorization: Bearer <token>".');
const MALFORMED = new AuthenticationError('MALFORMED', 'The Authorization header must read "Bearer <token>".');
const UNKNOWN = new AuthenticationError('UNKNOWN', 'The API token is not valid.');

/** The viewer a token secret names, or an AuthenticationError (unknown, revoked or expired token). */
export async function authenticate(tokens: TokenReads, secret: string, now: Date): Promise<Viewer> {
  const row = secret.startsWith(TOKEN_PREFIX) ? await tokens.bySecretHash(hashTokenSecret(secret)) : undefined;
  if (!row) throw UNKNOWN;
  if (row.revokedAt) throw new AuthenticationError('REVOKED', `The API token "${row.name}" was revoked.`);
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) {
    throw new AuthenticationError('EXPIRED', `The API token "${row.name}" expired at ${row.expiresAt.toISOString()}.`);
  }
  return viewerOf(row, tokens);
}

export async function viewerOf(row: ApiTokenRow, tokens: Pick<TokenReads, 'grantsOf'>): Promise<Viewer> {
  const roles = new Map((await tokens.grantsOf(row.id)).map((g) => [g.appId, g.role] as const));
  return { tokenId: row.id, name: row.name, admin: row.admin, roles, expiresAt: row.expiresAt };
}
