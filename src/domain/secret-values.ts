/**
 * Secret env values at the repository boundary: the database holds them encrypted, everything
 * above the repositories (engine, renderers, schema) sees them in plain text, in memory only.
 * The cipher itself (AES-256-GCM, its key) lives in src/secrets; the repositories get one and use
 * these pure functions. Pure: no I/O.
 */
import type { ConfigSettings } from './config-types.js';

/** Encrypts and decrypts secret values at rest (src/secrets/cipher.ts makes one). */
export interface SecretCipher {
  /** `enc:v1:<iv>:<tag>:<ciphertext>`, each part base64url; a fresh random IV every time. */
  encrypt(plaintext: string): string;
  /** The plaintext of `encrypt`'s output; throws SecretDecryptionError for a wrong key or altered value. */
  decrypt(stored: string): string;
}

/** Whether `stored` is in an encrypted format (of any version). */
export function isEncrypted(stored: string): boolean {
  return stored.startsWith('enc:');
}

const hasSecret = (settings: ConfigSettings) => settings.env.some((e) => e.secret);

/** The settings as stored: every secret env value encrypted. */
export function sealSettings(cipher: SecretCipher, settings: ConfigSettings): ConfigSettings {
  if (!hasSecret(settings)) return settings;
  return { ...settings, env: settings.env.map((e) => (e.secret ? { ...e, value: cipher.encrypt(e.value) } : e)) };
}

/** The settings as read: every secret env value decrypted (throws SecretDecryptionError for a wrong key). */
export function openSettings(cipher: SecretCipher, settings: ConfigSettings): ConfigSettings {
  if (!hasSecret(settings)) return settings;
  return { ...settings, env: settings.env.map((e) => (e.secret ? { ...e, value: cipher.decrypt(e.value) } : e)) };
}

/** A row with its settings decrypted; undefined stays undefined. */
export function openRow<T extends { settings: ConfigSettings }>(cipher: SecretCipher, row: T): T;
export function openRow<T extends { settings: ConfigSettings }>(cipher: SecretCipher, row: T | undefined): T | undefined;
export function openRow<T extends { settings: ConfigSettings }>(cipher: SecretCipher, row: T | undefined): T | undefined {
  if (!row || !hasSecret(row.settings)) return row;
  return { ...row, settings: openSettings(cipher, row.settings) };
}

/** Settings stored before secrets were encrypted: encrypts the plaintext secret values; null when there were none. */
export function sealPlaintext(cipher: SecretCipher, settings: ConfigSettings): ConfigSettings | null {
  if (!settings.env.some((e) => e.secret && !isEncrypted(e.value))) return null;
  return { ...settings, env: settings.env.map((e) => (e.secret && !isEncrypted(e.value) ? { ...e, value: cipher.encrypt(e.value) } : e)) };
}
