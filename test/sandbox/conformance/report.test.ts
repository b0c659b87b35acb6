/**
 * The conformance report (scripts/conformance/report.ts): results from JUnit and from e2e.test's
 * progress lines, and the focused specs that never finished (a worker stopped by the suite
 * timeout writes no JUnit report; the baseline run reported 0 specs that way).
 */
import { describe, expect, it } from 'vitest';
import { failureLine, parseJunit, parseProgress, summarize } from '../../../scripts/conformance/report.js';

const LOG = [
  'SSSS',
  '•{"msg":"PASSED [sig-apps] ReplicaSet should serve a basic image on each replica with a public image  [Conformance]","total":-1,"completed":1,"skipped":3,"failed":0}',
  '------------------------------',
  '{"msg":"FAILED [k8s.io] Probing container should *not* be restarted with a exec \\"cat /tmp/health\\" liveness probe [NodeConformance] [Conformance]","total":-1,"completed":1,"skipped":9,"failed":1}',
  '{"msg":"not json',
  'Dec  6 20:52:24.031: INFO: {"msg":"unrelated"}',
].join('\n');

describe('conformance report', () => {
  it('reads the progress lines: exact names (two spaces, escaped quotes kept), last word per spec', () => {
    expect([...parseProgress(LOG)]).toEqual([
      ['[sig-apps] ReplicaSet should serve a basic image on each replica with a public image  [Conformance]', 'passed'],
      ['[k8s.io] Probing container should *not* be restarted with a exec "cat /tmp/health" liveness probe [NodeConformance] [Conformance]', 'failed'],
    ]);
  });

  it('counts the expected specs without a result as not finished, and skip-listed ones as skipped', () => {
    const junit = parseJunit('<testsuite><testcase name="a" time="1"></testcase><testcase name="b" time="0"><skipped/></testcase></testsuite>');
    const progress = new Map<string, 'passed' | 'failed'>([
      ['b', 'failed'],
      ['c', 'passed'],
    ]);
    const s = summarize(junit, progress, ['a', 'b', 'c', 'd', 'e'], new Set(['e']));
    expect(s.passed.map((r) => r.name)).toEqual(['a', 'c']);
    expect(s.failed.map((r) => r.name)).toEqual(['b']);
    expect(s.unfinished).toEqual(['d']);
    expect(s.onList.map((r) => r.name)).toEqual(['e']);
    expect(s.total).toBe(5);
  });

  it('names a failure by its first line that is not a source location', () => {
    expect(failureLine('/x/test/e2e/framework/framework.go:629\nDec  6 21:29:11.206: pod p - expected number of restarts: 0, found restarts: 1\n')).toBe('Dec  6 21:29:11.206: pod p - expected number of restarts: 0, found restarts: 1');
    expect(failureLine(undefined)).toBe('');
  });
});
