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

// --- string selectors: a port of k8s.io/apimachinery/pkg/labels/selector.go's lexer and parser ---

type Tok = 'id' | 'in' | 'notin' | '!' | '=' | '==' | '!=' | '>' | '<' | '(' | ')' | ',' | 'end' | 'error';
const SYMBOLS: Record<string, Tok> = { '!': '!', '=': '=', '==': '==', '!=': '!=', '>': '>', '<': '<', '(': '(', ')': ')', ',': ',' };
const isSpecial = (c: string) => '=!(),><'.includes(c);
const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): [Tok, string][] {
  const items: [Tok, string][] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos]!)) pos++;
    if (pos >= s.length) {
      items.push(['end', '']);
      return items;
    }
    if (isSpecial(s[pos]!)) {
      // The longest run of special characters that is a known symbol.
      let buffer = '';
      let last: [Tok, string] | undefined;
      while (pos < s.length && isSpecial(s[pos]!)) {
        const candidate = buffer + s[pos];
        if (SYMBOLS[candidate]) {
          buffer = candidate;
          last = [SYMBOLS[candidate]!, candidate];
          pos++;
        } else if (last) break;
        else {
          buffer = candidate;
          pos++;
        }
      }
      items.push(last ?? ['error', `error expected: keyword found '${buffer}'`]);
    } else {
      let lit = '';
      while (pos < s.length && !isSpecial(s[pos]!) && !isSpace(s[pos]!)) lit += s[pos++];
      items.push([lit === 'in' ? 'in' : lit === 'notin' ? 'notin' : 'id', lit]);
    }
  }
}

const parseError = (msg: string) => badRequest(`unable to parse requirement: ${msg}`);

function checkKey(key: string) {
  const errs = labelKeyErrors(key);
  if (errs.length) throw parseError(`<nil>: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}`);
}

/** NewRequirement's checks on the values (field errors under `values`). */
function checkValues(key: string, op: Operator, values: string[]) {
  const errs: string[] = [];
  if ((op === 'gt' || op === 'lt') && values.some((v) => !/^[+-]?\d+$/.test(v)))
    values.forEach((v, i) => /^[+-]?\d+$/.test(v) || errs.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`));
  values.forEach((v, i) => {
    const msgs = labelValueErrors(v);
    if (msgs.length) errs.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${msgs.join('; ')}`);
  });
  if (errs.length) throw parseError(errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`);
}

/** Parses a label selector string (`app=web,tier in (a,b),!canary`). Throws StoreError 400 as Kubernetes words it. */
export function parseLabelSelector(selector: string | undefined): Requirement[] {
  if (selector === undefined) return [];
  const items = lex(selector);
  let p = 0;
  // In a value position, `in` and `notin` are plain identifiers.
  const asValue = (t: [Tok, string]): [Tok, string] => (t[0] === 'in' || t[0] === 'notin' ? ['id', t[1]] : t);
  const lookahead = () => asValue(items[p]!);
  const consume = () => asValue(items[p++]!);
  const consumeKeyword = () => items[p++]!;
  const reqs: Requirement[] = [];

  const parseValues = (): string[] => {
    const [open, openLit] = consume();
    if (open !== '(') throw parseError(`found '${openLit}' expected: '('`);
    const [tok, lit] = lookahead();
    if (tok === ')') {
      consume();
      return [''];
    }
    if (tok !== 'id' && tok !== ',') throw parseError(`found '${lit}', expected: ',', ')' or identifier`);
    const set = new Set<string>();
    for (;;) {
      const [t, l] = consume();
      if (t === 'id') {
        set.add(l);
        const [t2, l2] = lookahead();
        if (t2 === ',') continue;
        if (t2 === ')') break;
        throw parseError(`found '${l2}', expected: ',' or ')'`);
      } else if (t === ',') {
        if (set.size === 0) set.add('');
        const [t2] = lookahead();
        if (t2 === ')') {
          set.add('');
          break;
        }
        if (t2 === ',') {
          consume();
          set.add('');
        }
      } else throw parseError(`found '${l}', expected: ',', or identifier`);
    }
    if (consume()[0] !== ')') throw parseError(`found '${lit}', expected: ')'`);
    return [...set].sort();
  };

  const parseRequirement = (): Requirement => {
    let [tok, key] = consume();
    let negated = false;
    if (tok === '!') {
      negated = true;
      [tok, key] = consume();
    }
    if (tok !== 'id') throw parseError(`found '${key}', expected: identifier`);
    checkKey(key);
    const [next] = lookahead();
    if (negated) return { key, operator: '!', values: [] };
    if (next === 'end' || next === ',') return { key, operator: 'exists', values: [] };
    const [opTok, opLit] = consumeKeyword();
    const op: Operator | undefined = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' }[opTok as string] as Operator | undefined;
    if (!op) throw parseError(`found '${opLit}', expected: '=', '!=', '==', 'in', notin'`);
    let values: string[];
    if (op === 'in' || op === 'notin') values = parseValues();
    else {
      const [t] = lookahead();
      if (t === 'end' || t === ',') values = [''];
      else {
        const [t2, l2] = consume();
        if (t2 !== 'id') throw parseError(`found '${l2}', expected: identifier`);
        values = [l2];
      }
    }
    checkValues(key, op, values);
    return { key, operator: op, values };
  };

  for (;;) {
    const [tok, lit] = lookahead();
    if (tok === 'end') break;
    if (tok !== 'id' && tok !== '!') throw badRequest(`found '${lit}', expected: !, identifier, or 'end of string'`);
    reqs.push(parseRequirement());
    const [t, l] = consume();
    if (t === 'end') break;
    if (t !== ',') throw badRequest(`found '${l}', expected: ',' or 'end of string'`);
    const [t2, l2] = lookahead();
    if (t2 !== 'id' && t2 !== '!') throw badRequest(`found '${l2}', expected: identifier after ','`);
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
  const reqs: FieldRequirement[] = [];
  for (const term of splitUnescaped(selector, ',')) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [field, op, rhs] = split;
    if (!(field in supported)) throw badRequest(`field label not supported: ${field}`);
    reqs.push({ field, operator: op === '!=' ? '!=' : '=', value: unescape(rhs) });
  }
  return reqs;
}

/** fields.splitTerm: the first `!=`, `==` or `=` from the left, outside an escape. */
function splitTerm(term: string): [string, string, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    for (const op of ['!=', '==', '=']) if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

/** The field getters of each resource type (the common ones and its own), merged once. */
const gettersByKey = new Map<ResourceKey, typeof COMMON>();

export function matchesFieldSelector(key: ResourceKey, reqs: readonly FieldRequirement[], o: KubeObject): boolean {
  if (reqs.length === 0) return true;
  let supported = gettersByKey.get(key);
  if (!supported) gettersByKey.set(key, (supported = { ...COMMON, ...(FIELDS[key] ?? {}) }));
  return reqs.every((r) => {
    const v = supported[r.field]!(o);
    return r.operator === '=' ? v === r.value : v !== r.value;
  });
}
