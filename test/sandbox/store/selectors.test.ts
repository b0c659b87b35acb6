import { describe, it, expect } from 'vitest';
import {
  labelSelectorMatches,
  labelSelectorToString,
  matchesFieldSelector,
  matchesLabelSelectorString,
  parseFieldSelector,
  parseLabelSelector,
} from '../../../src/sandbox/store/selectors.js';
import type { KubeObject } from '../../../src/sandbox/store/types.js';
import { newStore, pod, storeError } from './helpers.js';

const labels = { app: 'web', tier: 'front', version: '3' };

describe('label selector strings', () => {
  it.each([
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app=db', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['tier in (front,back)', true],
    ['tier in (back)', false],
    ['tier notin (back)', true],
    ['missing notin (back)', true],
    ['tier notin (front)', false],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['version>2', true],
    ['version<3', false],
    [' app = web , tier in ( front ) ', true],
    ['example.com/key!=v', true],
  ])('%j → %s', (selector, expected) => {
    expect(matchesLabelSelectorString(selector, labels)).toBe(expected);
  });

  it.each([
    ['=a', "found '=', expected: !, identifier, or 'end of string'"],
    ['a=b,', "found '', expected: identifier after ','"],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['!!', "unable to parse requirement: found '!', expected: identifier"],
    ['a b', "unable to parse requirement: found 'b', expected: '=', '!=', '==', 'in', notin'"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['a=!', "unable to parse requirement: found '!', expected: identifier"],
    ['a>b', "unable to parse requirement: values[0]: Invalid value: \"b\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['@=b', `unable to parse requirement: <nil>: Invalid value: "@": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`],
    ['a=@', `unable to parse requirement: values[0][a]: Invalid value: "@": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`],
  ])('rejects %j with 400 as Kubernetes words it', (selector, message) => {
    const e = storeError(() => parseLabelSelector(selector));
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', message]);
  });

  it.each([
    ['x in (foo,,baz),y,z notin ()', [
      { key: 'x', operator: 'in', values: ['', 'baz', 'foo'] },
      { key: 'y', operator: 'exists', values: [] },
      { key: 'z', operator: 'notin', values: [''] },
    ]],
    ['in', [{ key: 'in', operator: 'exists', values: [] }]],
    ['a in (in,notin)', [{ key: 'a', operator: 'in', values: ['in', 'notin'] }]],
    ['b=1,a!=2', [{ key: 'a', operator: '!=', values: ['2'] }, { key: 'b', operator: '=', values: ['1'] }]],
  ])('parses %j like Kubernetes', (selector, expected) => {
    expect(parseLabelSelector(selector)).toEqual(expected);
  });

  it('parses "app=" as an empty value (matches only an empty label)', () => {
    expect(parseLabelSelector('app=')).toEqual([{ key: 'app', operator: '=', values: [''] }]);
  });
});

describe('LabelSelector objects', () => {
  it.each([
    [{}, true],
    [null, false],
    [undefined, false],
    [{ matchLabels: { app: 'web' } }, true],
    [{ matchLabels: { app: 'db' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'x'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, false],
    [{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'missing', operator: 'DoesNotExist' }] }, true],
  ] as const)('%j → %s', (sel, expected) => {
    expect(labelSelectorMatches(sel as never, labels)).toBe(expected);
  });

  it('renders as a selector string', () => {
    const sel = { matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'c', operator: 'In' as const, values: ['y', 'x'] }, { key: 'd', operator: 'DoesNotExist' as const }] };
    expect(labelSelectorToString(sel)).toBe('a=1,b=2,c in (x,y),!d');
    expect(matchesLabelSelectorString(labelSelectorToString(sel), { a: '1', b: '2', c: 'x' })).toBe(true);
  });
});

describe('field selectors', () => {
  const p = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p1', namespace: 'ns' },
    spec: { nodeName: 'n1' },
    status: { phase: 'Running' },
  } as KubeObject;
  const ev = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e', namespace: 'ns' },
    involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p1', uid: 'u', apiVersion: 'v1', resourceVersion: '7', fieldPath: 'spec.containers{app}' },
    reason: 'Started',
    type: 'Normal',
    source: { component: 'kubelet', host: 'n1' },
  } as KubeObject;

  it.each([
    ['/pods', p, 'metadata.name=p1', true],
    ['/pods', p, 'metadata.namespace=ns', true],
    ['/pods', p, 'spec.nodeName=n1', true],
    ['/pods', p, 'spec.nodeName=', false],
    ['/pods', p, 'spec.nodeName!=n1', false],
    ['/pods', p, 'status.phase=Running,spec.nodeName==n1', true],
    ['/pods', p, 'status.phase!=Running', false],
    ['/events', ev, 'involvedObject.kind=Pod,involvedObject.name=p1,involvedObject.namespace=ns', true],
    ['/events', ev, 'involvedObject.uid=u,involvedObject.apiVersion=v1,involvedObject.resourceVersion=7', true],
    ['/events', ev, 'involvedObject.fieldPath=spec.containers{app}', true],
    ['/events', ev, 'reason=Started,type=Normal,source=kubelet', true],
    ['/events', ev, 'type=Warning', false],
    ['/pods', p, 'metadata.name=p1,', true],
    ['/events', { ...ev, reason: 'a,b=c' } as KubeObject, 'reason=a\\,b\\=c', true],
  ] as const)('%s %s', (key, obj, selector, expected) => {
    expect(matchesFieldSelector(key, parseFieldSelector(key, selector), obj)).toBe(expected);
  });

  it.each([
    ['/pods', 'spec.foo=x', 'field label not supported: spec.foo'],
    ['apps/deployments', 'spec.nodeName=x', 'field label not supported: spec.nodeName'],
    ['/pods', 'nonsense', "invalid selector: 'nonsense'; can't understand 'nonsense'"],
  ])('%s %s → 400', (key, selector, message) => {
    const e = storeError(() => parseFieldSelector(key, selector));
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', message]);
  });
});

describe('list', () => {
  it('filters by namespace, labels and fields, sorted by namespace and name', () => {
    const s = newStore();
    s.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'b' } });
    s.create('/pods', pod('z'));
    s.create('/pods', pod('a'));
    s.create('/pods', { ...pod('m', {}, 'b'), metadata: { name: 'm', namespace: 'b', labels: { app: 'db' } } });
    s.bind('default', 'z', 'n1');
    const names = (opts: Parameters<typeof s.list>[1]) => s.list('/pods', opts).items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(names({})).toEqual(['b/m', 'default/a', 'default/z']);
    expect(names({ namespace: 'default' })).toEqual(['default/a', 'default/z']);
    expect(names({ labelSelector: 'app=web' })).toEqual(['default/a', 'default/z']);
    expect(names({ fieldSelector: 'spec.nodeName=n1' })).toEqual(['default/z']);
    expect(names({ fieldSelector: 'spec.nodeName=' })).toEqual(['b/m', 'default/a']);
    expect(s.list('/pods').resourceVersion).toBe(String(s.currentVersion()));
  });
});
