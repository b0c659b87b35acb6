/**
 * Malformed protobuf bodies are the client's fault: kube-apiserver answers 400 BadRequest for a
 * truncated or corrupt body, never 500 (review finding: a truncated fixed64 field threw a RangeError
 * and the sandbox answered 500), and the decoder refuses nesting deeper than MAX_PROTOBUF_DEPTH
 * instead of recursing until the stack runs out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, MAX_PROTOBUF_DEPTH, ProtobufError } from '../../../src/sandbox/apiserver/protobuf.js';
import { startServer, type TestServer } from '../apiserver/helpers.js';
import { bytes, envelope, msg, num, varint } from './protobuf-writer.js';

const container = Buffer.concat([bytes(1, 'app'), bytes(2, 'nginx:1.14-alpine'), msg(6, num(3, 80))]);
const pod = envelope(
  'v1',
  'Pod',
  Buffer.concat([msg(1, bytes(1, 'web'), msg(11, bytes(1, 'app'), bytes(2, 'web')), msg(8, num(1, 1_600_000_000))), msg(2, msg(2, container), num(4, 30))]),
);

/**
 * A ControllerRevision whose data (a RawExtension) holds another ControllerRevision envelope, `levels`
 * deep. Built as prefixes and suffixes around the leaf (one copy at the end, so a deep one is cheap).
 */
function nestedRevisions(levels: number): Buffer {
  const leaf = envelope('apps/v1', 'ControllerRevision', Buffer.concat([msg(1, bytes(1, 'leaf')), num(3, 1)]));
  const head = Buffer.concat([Buffer.from('k8s\0', 'latin1'), msg(1, bytes(1, 'apps/v1'), bytes(2, 'ControllerRevision'))]);
  const tag = (field: number) => varint((field << 3) | 2);
  const prefixes: Buffer[] = [];
  const suffix = num(3, 1);
  let length = leaf.length;
  for (let i = 0; i < levels; i++) {
    const name = msg(1, bytes(1, `r${i}`));
    const rawExtension = Buffer.concat([tag(1), varint(length)]); // RawExtension.raw = the inner envelope
    const data = Buffer.concat([tag(2), varint(rawExtension.length + length)]);
    const objectLength = name.length + data.length + rawExtension.length + length + suffix.length;
    const prefix = Buffer.concat([head, tag(2), varint(objectLength), name, data, rawExtension]);
    prefixes.push(prefix);
    length = prefix.length + length + suffix.length;
  }
  return Buffer.concat([...prefixes.reverse(), leaf, ...prefixes.map(() => suffix)]);
}

function outcome(body: Buffer): 'decoded' | 'refused' {
  try {
    decodeKubernetesProtobuf(body);
    return 'decoded';
  } catch (error) {
    if (error instanceof ProtobufError) return 'refused';
    throw error;
  }
}

describe('the protobuf decoder on hostile input', () => {
  it('decodes the whole pod', () => {
    expect(decodeKubernetesProtobuf(pod)).toMatchObject({ kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'app', ports: [{ containerPort: 80 }] }] } });
  });

  it('refuses every truncation with a ProtobufError, never another error', () => {
    const outcomes = new Set<string>();
    for (let cut = 0; cut < pod.length; cut++) outcomes.add(outcome(pod.subarray(0, cut)));
    expect(outcomes.has('refused')).toBe(true);
  });

  it('refuses truncated fixed-width fields, a zero tag, a group wire type, a varint as a string and an absurd length', () => {
    const cases = [
      Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x09, 1, 2, 3])]), // field 1 fixed64, 3 of 8 bytes
      Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0d, 1])]), // field 1 fixed32, 1 of 4 bytes
      Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x00, 0x01])]), // tag 0
      Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0b])]), // start group
      envelope('v1', 'Pod', msg(1, num(1, 5))), // metadata.name sent as a varint
      Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x12]), varint(2n ** 62n)]), // length beyond the body
      envelope('v1', 'Pod', msg(1, msg(8, num(1, 2n ** 62n)))), // a creation time no calendar holds
      envelope('v1', 'Pod', msg(2, bytes(1, Buffer.from([0x12, 0x80])))), // a length varint cut short inside a nested message
    ];
    for (const body of cases) expect(() => decodeKubernetesProtobuf(body)).toThrow(ProtobufError);
  });

  it('caps nesting depth: a few levels decode, deeper ones are refused, a deep bomb does not exhaust the stack', () => {
    expect(decodeKubernetesProtobuf(nestedRevisions(3))).toMatchObject({ kind: 'ControllerRevision', metadata: { name: 'r2' }, revision: 1, data: { metadata: { name: 'r1' }, data: { data: { metadata: { name: 'leaf' } } } } });
    expect(() => decodeKubernetesProtobuf(nestedRevisions(MAX_PROTOBUF_DEPTH))).toThrow(/nested deeper than 100 levels/);
    expect(() => decodeKubernetesProtobuf(nestedRevisions(20_000))).toThrow(ProtobufError);
  });
});

describe('the API server answers malformed protobuf with 400', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());
  const post = (path: string, body: Buffer) =>
    s.request(path, { method: 'POST', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf', Accept: 'application/json' }, body: new Uint8Array(body) });

  it('a truncated body, a corrupt one and a nesting bomb are 400 BadRequest Status bodies', async () => {
    await s.request('/api/v1/namespaces', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'pb' } }) });
    for (const body of [pod.subarray(0, pod.length - 3), Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x09, 1])]), nestedRevisions(20_000)]) {
      const res = await post('/apis/apps/v1/namespaces/pb/controllerrevisions', body);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400 });
    }
    const ok = await post('/api/v1/namespaces/pb/pods', pod);
    expect(ok.status).toBe(201);
  });
});
