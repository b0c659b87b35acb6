/**
 * Decoding `application/vnd.kubernetes.protobuf` request bodies (what client-go sends when asked
 * for protobuf, as the Kubernetes e2e suite does) into the JSON object a JSON client would send.
 *
 * The envelope is Kubernetes' own: the magic `k8s\0`, then a runtime.Unknown message holding the
 * apiVersion and kind and the object's bytes. The object's message comes from
 * `protobuf-schema.json`, generated from the v1.20.2 generated.proto files and Go types by
 * scripts/conformance/proto-schema.ts. A zero scalar of a non-pointer `omitempty` field is left
 * out, as Go's JSON encoder leaves it out.
 */
import generated from './protobuf-schema.json' with { type: 'json' };

type Field = [json: string, type: string, repeated: 0 | 1, pointer: 0 | 1, omitempty: 0 | 1];
interface Schema {
  packages: Record<string, string>;
  messages: Record<string, Record<string, Field>>;
}

// Imported (not read from disk at run time), so that the compiled build carries it in its bundle.
const schema = generated as unknown as Schema;

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

export class ProtobufError extends Error {}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/** Reads one protobuf-encoded Kubernetes object; throws ProtobufError when it cannot. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  const unknown = readMessage(body.subarray(4), 'k8s.io.apimachinery.pkg.runtime.Unknown', true);
  // runtime.Unknown's TypeMeta is inline in Go's JSON (so in the schema too).
  const typeMeta = unknown as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  const raw = rawField(body.subarray(4));
  const pkg = schema.packages[apiVersion];
  const name = [pkg && `${pkg}.${kind}`, `${META}.${kind}`].find((n) => n && schema.messages[n]);
  if (!name) throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  return { apiVersion, kind, ...readMessage(raw, name) };
}

/** Field 2 (raw bytes) of the runtime.Unknown envelope. */
function rawField(buf: Buffer): Buffer {
  let raw: Buffer = Buffer.alloc(0);
  forEachField(buf, (n, wire, value) => {
    if (n === 2 && wire === 2) raw = value as Buffer;
  });
  return raw;
}

type WireValue = bigint | Buffer;

function forEachField(buf: Buffer, visit: (n: number, wire: number, value: WireValue) => void) {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (pos >= buf.length) throw new ProtobufError('unexpected end of protobuf data');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) return result;
      shift += 7n;
      if (shift > 70n) throw new ProtobufError('varint overflow');
    }
  };
  while (pos < buf.length) {
    const key = Number(varint());
    const n = key >>> 3;
    const wire = key & 7;
    if (wire === 0) visit(n, wire, varint());
    else if (wire === 2) {
      const len = Number(varint());
      if (pos + len > buf.length) throw new ProtobufError('unexpected end of protobuf data');
      visit(n, wire, buf.subarray(pos, pos + len));
      pos += len;
    } else if (wire === 1) {
      visit(n, wire, buf.readBigUInt64LE(pos));
      pos += 8;
    } else if (wire === 5) {
      visit(n, wire, BigInt(buf.readUInt32LE(pos)));
      pos += 4;
    } else throw new ProtobufError(`unsupported protobuf wire type ${wire}`);
  }
}

function scalar(type: string, value: WireValue): unknown {
  if (Buffer.isBuffer(value)) {
    if (type === 'string') return value.toString('utf8');
    if (type === 'bytes') return value.toString('base64');
    throw new ProtobufError(`unexpected length-delimited value for ${type}`);
  }
  switch (type) {
    case 'bool':
      return value !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, value));
    case 'int64': {
      const v = BigInt.asIntN(64, value);
      return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
    }
    case 'uint32':
    case 'uint64':
      return Number(value);
    case 'double':
      return Buffer.from(BigInt.asUintN(64, value).toString(16).padStart(16, '0'), 'hex').reverse().readDoubleLE(0);
    default:
      return Number(value);
  }
}

const isZero = (v: unknown) => v === '' || v === 0 || v === false;

/** Packed repeated scalars (wire type 2 for a varint type). */
function unpack(type: string, buf: Buffer): unknown[] {
  const out: unknown[] = [];
  let pos = 0;
  while (pos < buf.length) {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7n;
    }
    out.push(scalar(type, result));
  }
  return out;
}

function decodeValue(type: string, value: WireValue): unknown {
  if (schema.messages[type]) {
    if (!Buffer.isBuffer(value)) throw new ProtobufError(`expected a message for ${type}`);
    const s = special(type, value);
    return s !== undefined ? s : readMessage(value, type);
  }
  return scalar(type, value);
}

function readMessage(buf: Buffer, type: string, keepZero = false): Record<string, unknown> {
  const fields = schema.messages[type];
  if (!fields) throw new ProtobufError(`unknown message ${type}`);
  const out: Record<string, unknown> = {};
  forEachField(buf, (n, wire, value) => {
    const f = fields[n];
    if (!f) return; // unknown fields are dropped, as Kubernetes' decoder does
    const [json, ftype, repeated, pointer, omitempty] = f;
    if (ftype.startsWith('map:')) {
      const [, k, v] = ftype.split(':') as [string, string, string];
      const entry: Record<number, unknown> = {};
      forEachField(value as Buffer, (en, _w, ev) => {
        entry[en] = decodeValue(en === 1 ? k : v, ev);
      });
      const map = (out[json] ??= {}) as Record<string, unknown>;
      map[String(entry[1] ?? '')] = entry[2] ?? (schema.messages[v] ? special(v, Buffer.alloc(0)) ?? {} : v === 'string' ? '' : 0);
      return;
    }
    if (repeated) {
      const list = (out[json] ??= []) as unknown[];
      if (wire === 2 && !schema.messages[ftype] && ftype !== 'string' && ftype !== 'bytes') list.push(...unpack(ftype, value as Buffer));
      else list.push(decodeValue(ftype, value));
      return;
    }
    const decoded = decodeValue(ftype, value);
    if (decoded === undefined || decoded === null) return;
    if (!keepZero && !pointer && omitempty && isZero(decoded)) return;
    if (json === '') Object.assign(out, decoded as object);
    else out[json] = decoded;
  });
  return out;
}

/** Messages whose JSON form is not an object: times, durations, quantities, int-or-string, raw JSON. */
function special(type: string, buf: Buffer): unknown {
  switch (type) {
    case `${META}.Time`:
    case `${META}.MicroTime`: {
      let seconds = 0n;
      let nanos = 0n;
      forEachField(buf, (n, _w, v) => {
        if (n === 1) seconds = BigInt.asIntN(64, v as bigint);
        if (n === 2) nanos = BigInt.asIntN(32, v as bigint);
      });
      if (seconds === 0n && nanos === 0n) return null;
      const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
      return type.endsWith('MicroTime') ? `${iso}.${String(Number(nanos) / 1000 | 0).padStart(6, '0')}Z` : `${iso}Z`;
    }
    case `${META}.Duration`: {
      let ns = 0n;
      forEachField(buf, (n, _w, v) => {
        if (n === 1) ns = BigInt.asIntN(64, v as bigint);
      });
      return goDuration(ns);
    }
    case 'k8s.io.apimachinery.pkg.api.resource.Quantity': {
      let s = '0';
      forEachField(buf, (n, _w, v) => {
        if (n === 1) s = (v as Buffer).toString('utf8');
      });
      return s;
    }
    case 'k8s.io.apimachinery.pkg.util.intstr.IntOrString': {
      let kind = 0n;
      let int = 0;
      let str = '';
      forEachField(buf, (n, _w, v) => {
        if (n === 1) kind = v as bigint;
        if (n === 2) int = Number(BigInt.asIntN(32, v as bigint));
        if (n === 3) str = (v as Buffer).toString('utf8');
      });
      return kind === 1n ? str : int;
    }
    case 'k8s.io.apimachinery.pkg.runtime.RawExtension':
    case `${META}.FieldsV1`: {
      let raw: Buffer | undefined;
      forEachField(buf, (n, _w, v) => {
        if (n === 1) raw = v as Buffer;
      });
      if (!raw || raw.length === 0) return null;
      if (raw.subarray(0, 4).equals(MAGIC)) return decodeKubernetesProtobuf(raw);
      try {
        return JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ProtobufError('raw extension is neither JSON nor protobuf');
      }
    }
    case `${META}.Verbs`: {
      const items: string[] = [];
      forEachField(buf, (n, _w, v) => {
        if (n === 1) items.push((v as Buffer).toString('utf8'));
      });
      return items;
    }
    default:
      return undefined;
  }
}

/** Go's time.Duration String(): 1h2m3s, 1.5s, 300ms, 0s. */
export function goDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let v = neg ? -ns : ns;
  let out: string;
  if (v < 1_000_000_000n) {
    const [unit, div] = v < 1000n ? ['ns', 1n] : v < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    out = `${trimFraction(v, div as bigint)}${unit}`;
  } else {
    const h = v / 3_600_000_000_000n;
    v -= h * 3_600_000_000_000n;
    const m = v / 60_000_000_000n;
    v -= m * 60_000_000_000n;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trimFraction(v, 1_000_000_000n)}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFraction(v: bigint, div: bigint): string {
  const whole = v / div;
  const frac = v % div;
  if (frac === 0n) return String(whole);
  const digits = String(div).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}
