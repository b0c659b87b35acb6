import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { isEncrypted, type SecretCipher } from '../domain/secret-values.js';

export { isEncrypted, type SecretCipher };

/** Bytes of an AES-256 key. */
export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Every encrypted value starts with this: the format's version, so that keys and algorithms can change later. */
export const ENCRYPTED_PREFIX = 'enc:v1:';

/** The secret key is unusable: not base64, or not 32 bytes. */
export class SecretKeyError extends Error {
  override name = 'SecretKeyError';
}

/** A stored value cannot be decrypted: another key encrypted it, or it was altered. */
export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}

/** A fresh random key (32 bytes). */
export function randomKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/** Parses a key given as base64 (or base64url) text; `source` names where it came from, for the error. */
export function parseKey(text: string, source: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) {
    throw new SecretKeyError(`the secret key from ${source} is not base64 text (expected ${KEY_BYTES} random bytes in base64, e.g. from \`openssl rand -base64 32\`)`);
  }
  const key = Buffer.from(trimmed, 'base64'); // Node reads the base64url alphabet too
  if (key.length !== KEY_BYTES) {
    throw new SecretKeyError(`the secret key from ${source} is ${key.length} bytes long; it must be exactly ${KEY_BYTES} bytes (base64 of ${KEY_BYTES} random bytes, e.g. from \`openssl rand -base64 32\`)`);
  }
  return key;
}

/** AES-256-GCM with the given 32-byte key. */
export function createCipher(key: Buffer): SecretCipher {
  if (key.length !== KEY_BYTES) throw new SecretKeyError(`the secret key must be exactly ${KEY_BYTES} bytes, not ${key.length}`);
  const secretKey = Buffer.from(key); // a private copy: the caller may reuse its buffer
  return {
    encrypt(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', secretKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return `${ENCRYPTED_PREFIX}${iv.toString('base64url')}:${tag.toString('base64url')}:${ciphertext.toString('base64url')}`;
    },
    decrypt(stored) {
      if (!stored.startsWith(ENCRYPTED_PREFIX)) {
        throw new SecretDecryptionError(
          isEncrypted(stored) ? 'a stored secret value uses an encryption format this version of cairn does not know' : 'a stored secret value is not encrypted (cairn encrypts plaintext secrets when it starts)',
        );
      }
      const parts = stored.slice(ENCRYPTED_PREFIX.length).split(':');
      const [iv, tag, ciphertext] = parts.map((p) => Buffer.from(p, 'base64url'));
      if (parts.length !== 3 || iv!.length !== IV_BYTES || tag!.length !== TAG_BYTES) {
        throw new SecretDecryptionError('a stored secret value is damaged (not in the form enc:v1:<iv>:<tag>:<ciphertext>)');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', secretKey, iv!);
        decipher.setAuthTag(tag!);
        return Buffer.concat([decipher.update(ciphertext!), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretDecryptionError(
          'a stored secret value cannot be decrypted with the configured secret key: the key is not the one that encrypted it (restore the original key: CAIRN_SECRET_KEY or the secret key file), or the value was altered',
        );
      }
    },
  };
}
