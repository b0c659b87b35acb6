/**
 * Label selectors (strings as in `?labelSelector=` and LabelSelector objects as in a Deployment's
 * spec.selector) and field selectors, with Kubernetes' semantics and errors.
 */
import type { KubeObject, ResourceKey } from './types.js';
import { badRequest } from './errors.js';
import { labelKeyErrors, labelValueErrors } from './names.js';

export type Operator = 'in' | 'notin' | 'exists' | '!' | '=' | '==' | '!=' | 'gt' | 'lt';

export interface Requirement {
  key: string;
  operator: Operator;
  values: string[];
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

type Labels = Record<string, string> | undefined;

function matchRequirement(r: Requirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(value!);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const n = Number(value);
      const bound = Number(r.values[0]);
      return r.operator === 'gt' ? n > bound : n < bound;
    }
  }
}

export const matchesRequirements = (reqs: readonly Requirement[], labels: Labels): boolean => reqs.every((r) => matchRequirement(r, labels));

// --- string selectors (k8s.io/apimachinery/pkg/labels/selector.go) ---

const parseError = (msg: string) => badRequest(`unable to parse requirement: ${msg}`);

function tokenize(input: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('(),'.includes(c)) {
      tokens.push(c);
      i++;
    } else if (input.startsWith('==', i) || input.startsWith('!=', i)) {
      tokens.push(input.slice(i, i + 2));
      i += 2;
    } else if ('=!<>'.includes(c)) {
      tokens.push(c);
      i++;
    } else {
      let j = i;
      while (j < input.length && !/[\s(),=!<>]/.test(input[j]!)) j++;
      tokens.push(input.slice(i, j));
      i = j;
    }
  }
  return tokens;
}

const isOp = (t: string | undefined) => t !== undefined && ['=', '==', '!=', '!', '<', '>', '(', ')', ','].includes(t);

function checkKey(key: string) {
  const errs = labelKeyErrors(key);
  if (errs.length) throw parseError(`<nil>: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
}
function checkValue(key: string, v: string) {
  const errs = labelValueErrors(v);
  if (errs.length) throw parseError(`values[0][${key}]: Invalid value: ${JSON.stringify(v)}: ${errs.join('; ')}`);
}

/** Parses a label selector string (`app=web,tier in (a,b),!canary`). Throws StoreError 400 on bad syntax. */
export function parseLabelSelector(selector: string | undefined): Requirement[] {
  if (selector === undefined || selector.trim() === '') return [];
  const t = tokenize(selector);
  let p = 0;
  const reqs: Requirement[] = [];
  const next = () => t[p++];
  while (p < t.length) {
    let tok = next()!;
    if (tok === '!') {
      const key = next();
      if (key === undefined || isOp(key)) throw parseError(`found '${key ?? ''}', expected: identifier after '!'`);
      checkKey(key);
      reqs.push({ key, operator: '!', values: [] });
    } else {
      if (isOp(tok) || tok === 'in' || tok === 'notin') throw parseError(`found '${tok}', expected: !, identifier, or 'end of string'`);
      const key = tok;
      checkKey(key);
      const op = t[p];
      if (op === undefined || op === ',') {
        reqs.push({ key, operator: 'exists', values: [] });
      } else if (op === '=' || op === '==' || op === '!=' || op === '<' || op === '>') {
        p++;
        let value = '';
        if (t[p] !== undefined && !isOp(t[p])) value = next()!;
        if ((op === '<' || op === '>') && !/^-?\d+$/.test(value)) throw parseError(`for 'Gt', 'Lt' operators, the value must be an integer`);
        checkValue(key, value);
        reqs.push({ key, operator: op === '<' ? 'lt' : op === '>' ? 'gt' : op, values: [value] });
      } else if (op === 'in' || op === 'notin') {
        p++;
        if (next() !== '(') throw parseError(`found '${t[p - 1] ?? ''}', expected: '('`);
        const values: string[] = [];
        for (;;) {
          tok = next() ?? '';
          if (tok === ')') break;
          if (tok === ',') {
            values.push('');
            continue;
          }
          if (isOp(tok) || tok === '') throw parseError(`found '${tok}', expected: ',', ')' or identifier`);
          checkValue(key, tok);
          values.push(tok);
          const after = next();
          if (after === ')') break;
          if (after !== ',') throw parseError(`found '${after ?? ''}', expected: ',' or ')'`);
        }
        reqs.push({ key, operator: op, values });
      } else {
        throw parseError(`found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    if (p < t.length) {
      if (t[p] !== ',') throw parseError(`found '${t[p]}', expected: ',' or 'end of string'`);
      p++;
    }
  }
  return reqs;
}

export const matchesLabelSelectorString = (selector: string | undefined, labels: Labels): boolean =>
  matchesRequirements(parseLabelSelector(selector), labels);

// --- LabelSelector objects (metav1.LabelSelectorAsSelector) ---

/** The requirements of a LabelSelector. A null/undefined selector is undefined: it matches nothing. */
export function labelSelectorRequirements(sel: LabelSelector | null | undefined): Requirement[] | undefined {
  if (sel === null || sel === undefined) return undefined;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, operator: '=', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' }[e.operator] as Operator | undefined;
    if (!op) throw badRequest(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push({ key: e.key, operator: op, values: [...(e.values ?? [])] });
  }
  return reqs;
}

/** Whether labels match a LabelSelector: `{}` matches everything, null/undefined matches nothing. */
export function labelSelectorMatches(sel: LabelSelector | null | undefined, labels: Labels): boolean {
  const reqs = labelSelectorRequirements(sel);
  return reqs !== undefined && matchesRequirements(reqs, labels);
}

/** The string form of a LabelSelector (`app=web,tier in (a,b)`), as a client puts in `?labelSelector=`. */
export function labelSelectorToString(sel: LabelSelector | null | undefined): string {
  const reqs = labelSelectorRequirements(sel) ?? [];
  return reqs
    .slice()
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.operator} (${[...r.values].sort().join(',')})`;
        case 'gt':
          return `${r.key}>${r.values[0]}`;
        case 'lt':
          return `${r.key}<${r.values[0]}`;
        default:
          return `${r.key}${r.operator === '==' ? '=' : r.operator}${r.values[0]}`;
      }
    })
    .join(',');
}

// --- field selectors ---

export interface FieldRequirement {
  field: string;
  operator: '=' | '!=';
  value: string;
}

const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined), o);

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** Field labels each resource supports beyond metadata.name and metadata.namespace, with how to read them. */
const FIELDS: Record<string, Record<string, (o: KubeObject) => string>> = {
  '/pods': {
    'spec.nodeName': (o) => str(get(o, 'spec.nodeName')),
    'spec.restartPolicy': (o) => str(get(o, 'spec.restartPolicy')),
    'spec.schedulerName': (o) => str(get(o, 'spec.schedulerName')),
    'spec.serviceAccountName': (o) => str(get(o, 'spec.serviceAccountName')),
    'spec.hostNetwork': (o) => String(get(o, 'spec.hostNetwork') === true),
    'status.phase': (o) => str(get(o, 'status.phase')),
    'status.podIP': (o) => str(get(o, 'status.podIP')),
    'status.nominatedNodeName': (o) => str(get(o, 'status.nominatedNodeName')),
  },
  '/events': {
    'involvedObject.kind': (o) => str(get(o, 'involvedObject.kind')),
    'involvedObject.namespace': (o) => str(get(o, 'involvedObject.namespace')),
    'involvedObject.name': (o) => str(get(o, 'involvedObject.name')),
    'involvedObject.uid': (o) => str(get(o, 'involvedObject.uid')),
    'involvedObject.apiVersion': (o) => str(get(o, 'involvedObject.apiVersion')),
    'involvedObject.resourceVersion': (o) => str(get(o, 'involvedObject.resourceVersion')),
    'involvedObject.fieldPath': (o) => str(get(o, 'involvedObject.fieldPath')),
    reason: (o) => str(o.reason),
    reportingComponent: (o) => str(o.reportingComponent),
    source: (o) => str(get(o, 'source.component')),
    type: (o) => str(o.type),
  },
  '/namespaces': { 'status.phase': (o) => str(get(o, 'status.phase')) },
  '/nodes': { 'spec.unschedulable': (o) => String(get(o, 'spec.unschedulable') === true) },
  '/secrets': { type: (o) => str(o.type) },
  'apps/replicasets': { 'status.replicas': (o) => str(get(o, 'status.replicas') ?? 0) },
};

const COMMON: Record<string, (o: KubeObject) => string> = {
  'metadata.name': (o) => str(o.metadata.name),
  'metadata.namespace': (o) => str(o.metadata.namespace),
};

function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === sep) {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  return parts;
}
const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

/** Parses a field selector (`spec.nodeName=n1,status.phase!=Running`) for `key`. Throws 400 like Kubernetes. */
export function parseFieldSelector(key: ResourceKey, selector: string | undefined): FieldRequirement[] {
  if (selector === undefined || selector.trim() === '') return [];
  const supported = { ...COMMON, ...(FIELDS[key] ?? {}) };
  return splitUnescaped(selector, ',').map((term) => {
    const m = /^([^=!]*?)(==|!=|=)(.*)$/s.exec(term.replace(/\\=/g, '\u0000'));
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!.trim();
    if (!(field in supported)) throw badRequest(`field label not supported: ${field}`);
    return { field, operator: m[2] === '!=' ? '!=' : '=', value: unescape(m[3]!.replace(/\u0000/g, '\\=')) };
  });
}

export function matchesFieldSelector(key: ResourceKey, reqs: readonly FieldRequirement[], o: KubeObject): boolean {
  const supported = { ...COMMON, ...(FIELDS[key] ?? {}) };
  return reqs.every((r) => {
    const v = supported[r.field]!(o);
    return r.operator === '=' ? v === r.value : v !== r.value;
  });
}
