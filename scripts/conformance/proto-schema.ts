/**
 * Writes src/sandbox/apiserver/protobuf-schema.json: the protobuf messages of the API groups the
 * sandbox serves, from the generated.proto files of the Kubernetes v1.20.2 source tree, with what
 * the Go types add (the JSON name, `,inline`, pointer fields and `omitempty`), so that the sandbox
 * decodes `application/vnd.kubernetes.protobuf` request bodies into the JSON a client would send.
 *
 *   node --import tsx scripts/conformance/proto-schema.ts KUBERNETES_SOURCE_TREE
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PACKAGES: { dir: string; pkg: string; apiVersion?: string }[] = [
  { dir: 'staging/src/k8s.io/api/core/v1', pkg: 'k8s.io.api.core.v1', apiVersion: 'v1' },
  { dir: 'staging/src/k8s.io/api/apps/v1', pkg: 'k8s.io.api.apps.v1', apiVersion: 'apps/v1' },
  { dir: 'staging/src/k8s.io/api/autoscaling/v1', pkg: 'k8s.io.api.autoscaling.v1', apiVersion: 'autoscaling/v1' },
  { dir: 'staging/src/k8s.io/api/policy/v1beta1', pkg: 'k8s.io.api.policy.v1beta1', apiVersion: 'policy/v1beta1' },
  { dir: 'staging/src/k8s.io/api/coordination/v1', pkg: 'k8s.io.api.coordination.v1', apiVersion: 'coordination.k8s.io/v1' },
  { dir: 'staging/src/k8s.io/api/authorization/v1', pkg: 'k8s.io.api.authorization.v1', apiVersion: 'authorization.k8s.io/v1' },
  { dir: 'staging/src/k8s.io/apimachinery/pkg/apis/meta/v1', pkg: 'k8s.io.apimachinery.pkg.apis.meta.v1', apiVersion: 'meta.k8s.io/v1' },
  { dir: 'staging/src/k8s.io/apimachinery/pkg/runtime', pkg: 'k8s.io.apimachinery.pkg.runtime' },
  { dir: 'staging/src/k8s.io/apimachinery/pkg/runtime/schema', pkg: 'k8s.io.apimachinery.pkg.runtime.schema' },
  { dir: 'staging/src/k8s.io/apimachinery/pkg/util/intstr', pkg: 'k8s.io.apimachinery.pkg.util.intstr' },
  { dir: 'staging/src/k8s.io/apimachinery/pkg/api/resource', pkg: 'k8s.io.apimachinery.pkg.api.resource' },
];

/** [jsonName ('' = inline), type, repeated, pointer, omitempty] by field number. */
type Field = [string, string, 0 | 1, 0 | 1, 0 | 1];

interface GoField {
  json: string;
  inline: boolean;
  pointer: boolean;
  omitempty: boolean;
}

/** Go struct fields with a protobuf tag, by struct name and field number. */
function goFields(dir: string): Map<string, Map<number, GoField>> {
  const out = new Map<string, Map<number, GoField>>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.go') && !n.endsWith('_test.go') && !n.startsWith('generated.pb'))) {
    let current: Map<number, GoField> | undefined;
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const start = /^type (\w+) struct \{/.exec(line);
      if (start) {
        current = new Map();
        out.set(start[1]!, current);
        continue;
      }
      if (/^\}/.test(line)) current = undefined;
      if (!current) continue;
      const m = /^\s+(?:(\w+)\s+)?(\S+)\s+`(.*)`/.exec(line);
      if (!m) continue;
      const tags = m[3]!;
      const pb = /protobuf:"[^"]*?,(\d+),(?:opt|rep|req)/.exec(tags);
      if (!pb) continue;
      const json = /json:"([^"]*)"/.exec(tags)?.[1] ?? '';
      const [name = '', ...opts] = json.split(',');
      current.set(Number(pb[1]), { json: name, inline: opts.includes('inline'), pointer: m[2]!.startsWith('*'), omitempty: opts.includes('omitempty') });
    }
  }
  return out;
}

function main() {
  const root = process.argv[2];
  if (!root) throw new Error('usage: proto-schema.ts KUBERNETES_SOURCE_TREE');
  const messages: Record<string, Record<number, Field>> = {};
  const kinds: Record<string, string> = {};
  const known = new Set<string>();
  const parsed: { pkg: string; name: string; body: string[] }[] = [];
  for (const p of PACKAGES) {
    const text = readFileSync(join(root, p.dir, 'generated.proto'), 'utf8');
    const re = /^message (\w+) \{\n([\s\S]*?)^\}/gm;
    for (const m of text.matchAll(re)) {
      parsed.push({ pkg: p.pkg, name: m[1]!, body: m[2]!.split('\n') });
      known.add(`${p.pkg}.${m[1]}`);
    }
  }
  const go = new Map(PACKAGES.map((p) => [p.pkg, goFields(join(root, p.dir))]));
  const resolve = (pkg: string, t: string): string => {
    if (/^(string|bytes|bool|int32|int64|uint32|uint64|double|float|sint32|sint64|fixed32|fixed64)$/.test(t)) return t;
    if (known.has(`${pkg}.${t}`)) return `${pkg}.${t}`;
    if (known.has(t)) return t;
    throw new Error(`unknown type ${t} in ${pkg}`);
  };
  for (const { pkg, name, body } of parsed) {
    const fields: Record<number, Field> = {};
    const gf = go.get(pkg)?.get(name);
    for (const line of body) {
      const m = /^\s+(optional|repeated) ([\w.]+) (\w+) = (\d+);/.exec(line);
      const mm = /^\s+map<(\w+), ([\w.]+)> (\w+) = (\d+);/.exec(line);
      if (m) {
        const n = Number(m[4]);
        const g = gf?.get(n);
        const json = g ? (g.inline ? '' : g.json || m[3]!) : m[3]!;
        fields[n] = [json, resolve(pkg, m[2]!), m[1] === 'repeated' ? 1 : 0, g?.pointer ? 1 : 0, g ? (g.omitempty ? 1 : 0) : 1];
      } else if (mm) {
        const n = Number(mm[4]);
        const g = gf?.get(n);
        fields[n] = [g?.json || mm[3]!, `map:${resolve(pkg, mm[1]!)}:${resolve(pkg, mm[2]!)}`, 0, 0, 1];
      }
    }
    messages[`${pkg}.${name}`] = fields;
  }
  for (const p of PACKAGES) if (p.apiVersion) kinds[p.apiVersion] = p.pkg;
  const out = join(import.meta.dirname, '../../src/sandbox/apiserver/protobuf-schema.json');
  writeFileSync(out, `${JSON.stringify({ source: 'Kubernetes v1.20.2 generated.proto and types.go', packages: kinds, messages })}\n`);
  console.log(`wrote ${Object.keys(messages).length} messages to ${out}`);
}

main();
