import { createHash, randomBytes } from 'node:crypto';

/** Every API token starts with this, so that a leaked one is easy to recognise (and to scan for). */
export const TOKEN_PREFIX = 'cairn_';

/** A new token secret: the prefix and 32 random bytes, base64url. Shown once; only its hash is stored. */
export function newTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * The stored form of a token secret. The secret carries 256 random bits, so one SHA-256 suffices:
 * no dictionary can guess it, and the lookup stays one indexed equality.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** The part of a secret safe to show in lists and logs: the prefix and 4 characters. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, TOKEN_PREFIX.length + 4);
}
