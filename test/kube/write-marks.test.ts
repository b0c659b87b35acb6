/** Read your own writes: the marks of cairn's writes, and how resourceVersions compare. */
import { describe, expect, it } from 'vitest';
import { createWriteMarks, reached } from '../../src/kube/write-marks.js';

const request = (verb: string, kind: string, namespace?: string) => ({ cluster: 'c', verb, kind, ...(namespace ? { namespace } : {}) });

describe('write marks', () => {
  it('keeps the newest resourceVersion written per watched kind and namespace', () => {
    const marks = createWriteMarks();
    marks.record(request('patch', 'Deployment', 'cairn-web'), { metadata: { resourceVersion: '120' } });
    marks.record(request('create', 'Deployment', 'cairn-web'), { metadata: { resourceVersion: '99' } }); // an older answer arriving late
    marks.record(request('delete', 'Pod', 'cairn-web'), { metadata: { resourceVersion: '130' } });
    expect(marks.latest('Deployment', 'cairn-web')).toBe('120');
    expect(marks.latest('Pod', 'cairn-web')).toBe('130');
    expect(marks.latest('Deployment', 'cairn-api')).toBeNull();
  });

  it('ignores reads, unwatched kinds, answers without a resourceVersion (a Status) and calls without a namespace', () => {
    const marks = createWriteMarks();
    marks.record(request('get', 'Deployment', 'ns'), { metadata: { resourceVersion: '5' } });
    marks.record(request('list', 'Pod', 'ns'), { metadata: { resourceVersion: '6' } });
    marks.record(request('create', 'ConfigMap', 'ns'), { metadata: { resourceVersion: '7' } });
    marks.record(request('delete', 'Deployment', 'ns'), { kind: 'Status', status: 'Success' });
    marks.record(request('create', 'Namespace'), { metadata: { resourceVersion: '8' } });
    expect([marks.latest('Deployment', 'ns'), marks.latest('Pod', 'ns'), marks.latest('ConfigMap', 'ns')]).toEqual([null, null, null]);
  });

  it('compares resourceVersions as numbers when both are, else only by equality', () => {
    expect(reached('10', '9')).toBe(true);
    expect(reached('9', '10')).toBe(false);
    expect(reached('123456789012345678901', '123456789012345678900')).toBe(true);
    expect(reached('abc', 'abc')).toBe(true);
    expect(reached('abd', 'abc')).toBe(false);
  });
});
