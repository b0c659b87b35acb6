/** The sandbox's self-signed serving certificate: valid DER every time (Node's X.509 parser reads it). */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derInteger, selfSignedCertificate } from '../../../src/sandbox/apiserver/certificate.js';

describe('DER integers', () => {
  it.each([
    ['a small value', [0x05], [0x02, 0x01, 0x05]],
    ['leading zero bytes are dropped (DER is minimal)', [0x00, 0x00, 0x05], [0x02, 0x01, 0x05]],
    ['a high bit gets one zero byte (positive)', [0x80], [0x02, 0x02, 0x00, 0x80]],
    ['leading zeros before a high bit: exactly one kept', [0x00, 0x00, 0x80, 0x01], [0x02, 0x03, 0x00, 0x80, 0x01]],
    ['zero', [0x00, 0x00], [0x02, 0x01, 0x00]],
  ])('%s', (_name, bytes, der) => {
    expect([...derInteger(Buffer.from(bytes))]).toEqual(der);
  });
});

describe('selfSignedCertificate', () => {
  it('is read by Node\'s X.509 parser every time, with its names, and verifies with its own key', () => {
    // About one serial in 500 used to start with a zero byte and make the certificate unreadable.
    for (let i = 0; i < 1500; i++) {
      const { cert } = selfSignedCertificate('sandbox');
      const x509 = new X509Certificate(cert);
      if (i === 0) {
        expect(x509.subject).toBe('CN=sandbox');
        expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
        expect(x509.ca).toBe(true);
        expect(x509.verify(x509.publicKey)).toBe(true);
      }
      expect(BigInt(`0x${x509.serialNumber}`)).toBeGreaterThan(0n);
    }
  });
});
