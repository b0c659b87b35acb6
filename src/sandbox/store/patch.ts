/**
 * The three patch types a Kubernetes API server accepts, as pure functions over plain JSON values:
 * JSON Patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch with the list merge
 * keys of the Kubernetes types cairn's objects use (k8s.io/apimachinery/pkg/util/strategicpatch).
 * Bad patches throw StoreError: 400 for a malformed patch, 422 when it cannot be applied, as
 * kube-apiserver answers.
 */
import { isDeepStrictEqual } from 'node:util';
import { deepCopy } from './copy.js';
import { StoreError } from './types.js';
import { badRequest } from './errors.js';
import { applyStrategicMergePatch } from './strategic-merge.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JObj = { [k: string]: Json };
const isObj = (v: unknown): v is JObj => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => deepCopy(v);

/** A patch that is well-formed but does not apply: 422 as kube-apiserver's patcher answers. */
function notApplicable(detail: string): StoreError {
  return new StoreError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: detail, field: '' }],
  });
}

// --- JSON Patch (RFC 6902) ---

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`JSON pointer must be empty or start with a "/": ${JSON.stringify(pointer)}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const arrayIndex = (token: string, length: number, allowEnd: boolean): number | undefined => {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9]\d*)$/.test(token)) return undefined;
  const i = Number(token);
  return i <= (allowEnd ? length : length - 1) ? i : undefined;
};

/** The container holding the last token of `path`, or throws `doc is missing path`. */
function parentOf(doc: Json, tokens: string[], path: string, op: string): Json {
  return walk(doc, tokens.slice(0, -1), path, op);
}

function getAt(doc: Json, path: string, op: string): Json {
  return walk(doc, parsePointer(path), path, op);
}

/** Follows `tokens` from `doc`, or throws `doc is missing path`. */
function walk(doc: Json, tokens: string[], path: string, op: string): Json {
  let cur: Json = doc;
  for (const t of tokens) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length, false);
      if (i === undefined) throw notApplicable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
      cur = cur[i]!;
    } else if (isObj(cur) && t in cur) cur = cur[t]!;
    else throw notApplicable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return cur;
}

function addAt(doc: Json, path: string, value: Json, op = 'add'): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const parent = parentOf(doc, tokens, path, op);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, true);
    if (i === undefined) throw notApplicable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    parent.splice(i, 0, value);
  } else if (isObj(parent)) parent[last] = value;
  else throw notApplicable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return doc;
}

function removeAt(doc: Json, path: string, op = 'remove'): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) throw notApplicable(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  const parent = parentOf(doc, tokens, path, op);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false);
    if (i === undefined) throw notApplicable(`Unable to ${op} nonexistent key: ${last}: missing value`);
    parent.splice(i, 1);
  } else if (isObj(parent) && last in parent) delete parent[last];
  else throw notApplicable(`Unable to ${op} nonexistent key: ${last}: missing value`);
  return doc;
}

/** Applies an RFC 6902 JSON Patch to a copy of `doc`. */
export function applyJsonPatch<T>(doc: T, ops: unknown): T {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let out = clone(doc) as Json;
  for (const raw of ops) {
    if (!isObj(raw)) throw badRequest('json: cannot unmarshal into Go value of type jsonpatch.Operation');
    const o = raw as unknown as JsonPatchOperation;
    if (typeof o.path !== 'string') throw badRequest(`Unexpected kind: ${String(o.op)}`);
    const needsValue = o.op === 'add' || o.op === 'replace' || o.op === 'test';
    if (needsValue && !('value' in raw)) throw notApplicable(`${o.op} operation does not apply: doc is missing value`);
    const value = clone(raw.value as Json);
    switch (o.op) {
      case 'add':
        out = addAt(out, o.path, value);
        break;
      case 'remove':
        out = removeAt(out, o.path);
        break;
      case 'replace': {
        getAt(out, o.path, 'replace');
        const tokens = parsePointer(o.path);
        if (tokens.length === 0) out = value;
        else {
          const parent = parentOf(out, tokens, o.path, 'replace');
          const last = tokens[tokens.length - 1]!;
          if (Array.isArray(parent)) parent[Number(last)] = value;
          else (parent as JObj)[last] = value; // in place, keeping the key's position
        }
        break;
      }
      case 'move': {
        if (typeof o.from !== 'string') throw badRequest('move operation missing from');
        const moved = getAt(out, o.from, 'move');
        out = addAt(removeAt(out, o.from, 'move'), o.path, moved, 'move');
        break;
      }
      case 'copy': {
        if (typeof o.from !== 'string') throw badRequest('copy operation missing from');
        out = addAt(out, o.path, clone(getAt(out, o.from, 'copy')), 'copy');
        break;
      }
      case 'test': {
        let actual: Json | undefined;
        try {
          actual = getAt(out, o.path, 'test');
        } catch {
          actual = undefined;
        }
        if (!isDeepStrictEqual(actual, value)) throw notApplicable(`testing value ${o.path} failed: test failed`);
        break;
      }
      default:
        throw badRequest(`Unexpected kind: ${String((o as { op?: unknown }).op)}`);
    }
  }
  return out as T;
}

// --- JSON merge patch (RFC 7386) ---

/** Applies an RFC 7386 merge patch to a copy of `doc`: objects merge, null deletes, anything else replaces. */
export function applyMergePatch<T>(doc: T, patch: unknown): T {
  return mergeValue(clone(doc) as Json, patch as Json) as T;
}

function mergeValue(target: Json | undefined, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: JObj = isObj(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValue(out[k], v);
  }
  return out;
}

export { applyStrategicMergePatch };

export type PatchType = 'json' | 'merge' | 'strategic';

/** Applies a patch of the given type; `kind` picks the strategic merge schema (unknown kinds: metadata only). */
export function applyPatch(type: PatchType, doc: unknown, patch: unknown, kind: string): unknown {
  switch (type) {
    case 'json':
      return applyJsonPatch(doc, patch);
    case 'merge':
      return applyMergePatch(doc, patch);
    case 'strategic':
      return applyStrategicMergePatch(doc, patch, kind);
  }
}
