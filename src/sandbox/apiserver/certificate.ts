/**
 * A self-signed serving certificate for a sandbox API server on loopback (no dependencies: the
 * X.509 DER is assembled here and signed with node:crypto). ECDSA P-256, SAN IP 127.0.0.1 and DNS
 * localhost, CA:true so that the certificate is its own trust anchor in the kubeconfig, as kind and
 * minikube clusters ship their CA in certificate-authority-data.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const tag = (t: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  const len = body.length;
  const header =
    len < 0x80 ? Buffer.from([t, len]) : len < 0x100 ? Buffer.from([t, 0x81, len]) : Buffer.from([t, 0x82, len >> 8, len & 0xff]);
  return Buffer.concat([header, body]);
};
const seq = (...parts: Buffer[]) => tag(0x30, ...parts);
const set = (...parts: Buffer[]) => tag(0x31, ...parts);
/**
 * A DER INTEGER of the big-endian unsigned `bytes`: minimal, as DER requires — leading zero bytes dropped
 * (a random serial starting with 0x00 was refused as "illegal padding" about once in 500 certificates),
 * then one zero byte added back when the high bit is set (else it would read as negative).
 */
export function derInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const minimal = bytes.subarray(start);
  return tag(0x02, minimal[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), minimal]) : minimal);
}
const int = derInteger;
const oid = (dotted: string) => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tag(0x06, Buffer.from(out));
};
const utf8 = (s: string) => tag(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean) => tag(0x01, Buffer.from([v ? 0xff : 0]));
const octets = (b: Buffer) => tag(0x04, b);
const bits = (b: Buffer) => tag(0x03, Buffer.concat([Buffer.from([0]), b]));
const explicit = (n: number, inner: Buffer) => tag(0xa0 + n, inner);
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14); // YYYYMMDDHHMMSS
  return d.getUTCFullYear() < 2050 ? tag(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tag(0x18, Buffer.from(`${iso}Z`));
}

const ECDSA_WITH_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

/** A random positive serial number of 16 bytes (RFC 5280: positive, at most 20 bytes). */
function serialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x40;
  return serial;
}

export interface ServingCertificate {
  /** PEM certificate (also the CA to trust). */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

export function selfSignedCertificate(commonName: string, ips = ['127.0.0.1'], dnsNames = ['localhost'], days = 365): ServingCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const name = seq(set(seq(oid('2.5.4.3'), utf8(commonName))));
  const now = Date.now();
  const altNames = seq(
    ...ips.map((ip) => tag(0x87, Buffer.from(ip.split('.').map(Number)))),
    ...dnsNames.map((dns) => tag(0x82, Buffer.from(dns, 'ascii'))),
  );
  const extensions = seq(
    seq(oid('2.5.29.19'), bool(true), octets(seq(bool(true)))), // basicConstraints: CA
    seq(oid('2.5.29.15'), bool(true), octets(tag(0x03, Buffer.from([0x02, 0x84])))), // keyUsage: digitalSignature, keyCertSign
    seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))), // extKeyUsage: serverAuth
    seq(oid('2.5.29.17'), octets(altNames)), // subjectAltName
  );
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(serialNumber()),
    ECDSA_WITH_SHA256,
    name,
    seq(time(new Date(now - 60_000)), time(new Date(now + days * 86_400_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, extensions),
  );
  const signature = sign('sha256', tbs, privateKey as KeyObject); // DER ECDSA-Sig-Value
  const der = seq(tbs, ECDSA_WITH_SHA256, bits(signature));
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  const key = createPrivateKey(privateKey.export({ type: 'pkcs8', format: 'pem' })).export({ type: 'pkcs8', format: 'pem' }) as string;
  return { cert, key };
}
