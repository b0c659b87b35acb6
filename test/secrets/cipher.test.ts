import { describe, expect, it } from 'vitest';
import { createCipher, ENCRYPTED_PREFIX, parseKey, randomKey, SecretDecryptionError, SecretKeyError } from '../../src/secrets/cipher.js';

const key = randomKey();
const cipher = createCipher(key);

/** Flips one bit of the base64url part `index` (0 iv, 1 tag, 2 ciphertext) of an encrypted value. */
function tamper(stored: string, index: number): string {
  const parts = stored.slice(ENCRYPTED_PREFIX.length).split(':');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  parts[index] = bytes.toString('base64url');
  return ENCRYPTED_PREFIX + parts.join(':');
}

describe('the secret cipher (AES-256-GCM, enc:v1)', () => {
  it('round-trips any text, empty and non-ASCII included', () => {
    for (const plain of ['S3CR3T-abc', '', 'пароль 密码 🔑', 'x'.repeat(128 * 1024), 'enc:v1:looks:encrypted:but-is-not']) {
      const stored = cipher.encrypt(plain);
      expect(stored.startsWith(ENCRYPTED_PREFIX)).toBe(true);
      expect(cipher.decrypt(stored)).toBe(plain);
    }
  });

  it('writes enc:v1:<iv>:<tag>:<ciphertext> in base64url, with a fresh 12-byte IV each time and no plaintext', () => {
    const plain = 'S3CR3T-same-value';
    const a = cipher.encrypt(plain);
    const b = cipher.encrypt(plain);
    expect(a).not.toBe(b);
    const [iv, tag, ciphertext] = a.slice(ENCRYPTED_PREFIX.length).split(':');
    for (const part of [iv, tag, ciphertext]) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(iv!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(tag!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(ciphertext!, 'base64url')).toHaveLength(Buffer.byteLength(plain));
    expect(a).not.toContain(plain);
    expect(a).not.toContain(Buffer.from(plain).toString('base64'));
  });

  it('detects a value altered in its IV, tag or ciphertext', () => {
    const stored = cipher.encrypt('S3CR3T-tamper');
    for (const part of [0, 1, 2]) {
      expect(() => cipher.decrypt(tamper(stored, part))).toThrow(SecretDecryptionError);
    }
  });

  it('refuses, with a clear error and no garbage, a value encrypted with another key', () => {
    const other = createCipher(randomKey());
    const stored = other.encrypt('S3CR3T-other-key');
    expect(() => cipher.decrypt(stored)).toThrow(/cannot be decrypted with the configured secret key: the key is not the one that encrypted it/);
  });

  it('names a damaged value, an unknown format version and a value that was never encrypted', () => {
    expect(() => cipher.decrypt('enc:v1:abc')).toThrow(/damaged/);
    expect(() => cipher.decrypt(`${ENCRYPTED_PREFIX}AAAA:BBBB:CCCC`)).toThrow(/damaged/);
    expect(() => cipher.decrypt('enc:v9:a:b:c')).toThrow(/encryption format this version of cairn does not know/);
    expect(() => cipher.decrypt('S3CR3T-plain')).toThrow(/not encrypted/);
    try {
      cipher.decrypt('S3CR3T-plain');
    } catch (error) {
      expect((error as Error).message).not.toContain('S3CR3T-plain');
    }
  });

  it('keeps its own copy of the key', () => {
    const buffer = randomKey();
    const own = createCipher(buffer);
    const stored = own.encrypt('S3CR3T-copy');
    buffer.fill(0);
    expect(own.decrypt(stored)).toBe('S3CR3T-copy');
  });
});

describe('parseKey', () => {
  it('reads 32 bytes of base64 or base64url, surrounding whitespace ignored', () => {
    const bytes = randomKey();
    expect(parseKey(`${bytes.toString('base64')}\n`, 'test').equals(bytes)).toBe(true);
    expect(parseKey(bytes.toString('base64url'), 'test').equals(bytes)).toBe(true);
  });

  it('refuses text that is not base64, and a key of the wrong length, naming where it came from', () => {
    expect(() => parseKey('not a key!', 'CAIRN_SECRET_KEY')).toThrow(SecretKeyError);
    expect(() => parseKey('not a key!', 'CAIRN_SECRET_KEY')).toThrow(/the secret key from CAIRN_SECRET_KEY is not base64/);
    expect(() => parseKey(randomKey().subarray(0, 16).toString('base64'), 'the file /x/secret.key')).toThrow(
      /the secret key from the file \/x\/secret.key is 16 bytes long; it must be exactly 32 bytes/,
    );
    expect(() => parseKey('', 'CAIRN_SECRET_KEY')).toThrow(SecretKeyError);
    expect(() => createCipher(Buffer.alloc(31))).toThrow(SecretKeyError);
  });
});
