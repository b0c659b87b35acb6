import { describe, expect, it } from 'vitest';
import { createCounters, type RequestRecord } from '../../../src/sandbox/apiserver/counters.js';
import { OpenWatches } from '../../../src/sandbox/apiserver/open-watches.js';

const record = (verb: string, resource: string, code: number): RequestRecord => ({
  time: new Date(),
  method: 'GET',
  path: `/api/v1/${resource}`,
  query: '',
  verb,
  group: '',
  resource,
  code,
  durationMs: 1,
});

describe('counters', () => {
  it('counts exactly beyond the request log’s length, including requests not answered yet', () => {
    const counters = createCounters(new OpenWatches(), 3);
    for (let i = 0; i < 5; i++) counters.record(record('list', 'pods', 200));
    const inFlight = record('watch', 'pods', 0);
    counters.record(inFlight);
    expect(counters.requests()).toHaveLength(3);
    expect(counters.count({ resource: 'pods' })).toBe(6);
    expect(counters.count({ verb: 'watch', code: 0 })).toBe(1);
    inFlight.code = 200; // the watch answered
    expect(counters.count({ verb: 'watch', code: 200 })).toBe(1);
    expect(counters.byVerbAndResource()).toEqual({ 'list pods': 5, 'watch pods': 1 });
    counters.reset();
    expect(counters.count()).toBe(0);
  });

  it('resolves until() when a watch opens, without polling', async () => {
    const watches = new OpenWatches();
    const counters = createCounters(watches);
    const opened = counters.until(() => counters.openWatches({ resource: 'pods', namespace: 'a' }) === 1);
    const done = watches.add({ group: '', resource: 'pods', namespace: 'a' }, () => undefined);
    await opened;
    expect(counters.watches()[0]).toMatchObject({ resource: 'pods', namespace: 'a' });
    done();
    expect(counters.openWatches()).toBe(0);
  });
});
