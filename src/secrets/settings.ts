import type { ConfigSettings } from '../domain/config-types.js';
import { isEncrypted, type SecretCipher } from './cipher.js';

/**
 * Secret env values at the repository boundary: the database holds them encrypted, everything
 * above the repositories (engine, renderers, schema) sees them in plain text, in memory only.
 */

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

