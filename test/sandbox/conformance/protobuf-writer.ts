/** A minimal protobuf writer for tests (field numbers from Kubernetes' generated.proto files). */
export const varint = (v: number | bigint): Buffer => {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
};
export const num = (field: number, v: number | bigint) => Buffer.concat([varint((field << 3) | 0), varint(v)]);
export const bytes = (field: number, b: Buffer | string) => {
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b);
  return Buffer.concat([varint((field << 3) | 2), varint(buf.length), buf]);
};
export const msg = (field: number, ...parts: Buffer[]) => bytes(field, Buffer.concat(parts));
/** The `k8s\0` magic and a runtime.Unknown holding apiVersion, kind and the object's bytes. */
export const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), msg(1, bytes(1, apiVersion), bytes(2, kind)), bytes(2, raw)]);
