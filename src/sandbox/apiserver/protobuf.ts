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

/** Malformed input: the API server answers 400 BadRequest with this message. */
export class ProtobufError extends Error {}

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

/**
 * How deep messages may nest (a raw extension holding another envelope counts as one more level).
 * The deepest Kubernetes schema path is a few dozen levels; anything deeper is an attack, refused
 * with 400 before the decoder could exhaust the stack (Go's protobuf runtime caps recursion likewise).
 */
export const MAX_PROTOBUF_DEPTH = 100;

/** Reads one protobuf-encoded Kubernetes object; throws ProtobufError (never anything else) when it cannot. */
export function decodeKubernetesProtobuf(body: Buffer): Record<string, unknown> {
  try {
    return decodeEnvelope(body, 0);
  } catch (error) {
    if (error instanceof ProtobufError) throw error;
    // A decoder fault on hostile input (a value Date cannot hold, a stack overflow) is still bad input.
    throw new ProtobufError(`unable to decode protobuf data: ${(error as Error).message}`);
  }
}

function decodeEnvelope(body: Buffer, depth: number): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new ProtobufError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  const unknown = readMessage(body.subarray(4), 'k8s.io.apimachinery.pkg.runtime.Unknown', depth, true);
  // runtime.Unknown's TypeMeta is inline in Go's JSON (so in the schema too).
  const typeMeta = unknown as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  const raw = rawField(body.subarray(4));
  const pkg = schema.packages[apiVersion];
  const name = [pkg && `${pkg}.${kind}`, `${META}.${kind}`].find((n) => n && schema.messages[n]);
  if (!name) throw new ProtobufError(`no kind "${kind}" is registered for version "${apiVersion}"`);
  return { apiVersion, kind, ...readMessage(raw, name, depth + 1) };
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
  const need = (bytes: number) => {
    if (pos + bytes > buf.length) throw new ProtobufError('unexpected end of protobuf data');
  };
  while (pos < buf.length) {
    const key = varint();
    if (key > 0xffffffffn) throw new ProtobufError('protobuf field key out of range');
    const n = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (n <= 0) throw new ProtobufError(`illegal protobuf tag ${n} (wire type ${wire})`);
    if (wire === 0) visit(n, wire, varint());
    else if (wire === 2) {
      const len = varint();
      if (len > BigInt(buf.length - pos)) throw new ProtobufError('unexpected end of protobuf data');
      visit(n, wire, buf.subarray(pos, pos + Number(len)));
      pos += Number(len);
    } else if (wire === 1) {
      need(8);
      visit(n, wire, buf.readBigUInt64LE(pos));
      pos += 8;
    } else if (wire === 5) {
      need(4);
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
  if (type === 'string' || type === 'bytes') throw new ProtobufError(`expected a length-delimited value for ${type}`);
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
      if (pos >= buf.length) throw new ProtobufError('unexpected end of packed protobuf data');
      const b = buf[pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7n;
      if (shift > 70n) throw new ProtobufError('varint overflow');
    }
    out.push(scalar(type, result));
  }
  return out;
}

function decodeValue(type: string, value: WireValue, depth: number): unknown {
  if (schema.messages[type]) {
    if (!Buffer.isBuffer(value)) throw new ProtobufError(`expected a message for ${type}`);
    const s = special(type, value, depth);
    return s !== undefined ? s : readMessage(value, type, depth + 1);
  }
  return scalar(type, value);
}

function readMessage(buf: Buffer, type: string, depth: number, keepZero = false): Record<string, unknown> {
  if (depth > MAX_PROTOBUF_DEPTH) throw new ProtobufError(`protobuf message nested deeper than ${MAX_PROTOBUF_DEPTH} levels`);
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
      if (!Buffer.isBuffer(value)) throw new ProtobufError(`expected a map entry for ${json}`);
      forEachField(value, (en, _w, ev) => {
        if (en === 1 || en === 2) entry[en] = decodeValue(en === 1 ? k : v, ev, depth + 1);
      });
      const map = (out[json] ??= {}) as Record<string, unknown>;
      map[String(entry[1] ?? '')] = entry[2] ?? (schema.messages[v] ? special(v, Buffer.alloc(0), depth + 1) ?? {} : v === 'string' ? '' : 0);
      return;
    }
    if (repeated) {
      const list = (out[json] ??= []) as unknown[];
      if (wire === 2 && !schema.messages[ftype] && ftype !== 'string' && ftype !== 'bytes') list.push(...unpack(ftype, value as Buffer));
      else list.push(decodeValue(ftype, value, depth));
      return;
    }
    const decoded = decodeValue(ftype, value, depth);
    if (decoded === undefined || decoded === null) return;
    if (!keepZero && !pointer && omitempty && isZero(decoded)) return;
    if (json === '') Object.assign(out, decoded as object);
    else out[json] = decoded;
  });
  return out;
}

/** Messages whose JSON form is not an object: times, durations, quantities, int-or-string, raw JSON. */
function special(type: string, buf: Buffer, depth: number): unknown {
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
      // Year 0001 to 9999, as RFC 3339 (and Go's time.Time MarshalJSON) can write it.
      if (seconds < -62135596800n || seconds > 253402300799n) throw new ProtobufError(`timestamp seconds out of range: ${seconds}`);
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
      if (raw.subarray(0, 4).equals(MAGIC)) return decodeEnvelope(raw, depth + 1);
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
