/** A container instance's log buffer: selection options, follow, and the line cap. */
import { describe, expect, it } from 'vitest';
import { LogBuffer, maxLogLines, nanoTimestamp } from '../../../src/sandbox/node/logs.js';

async function collect(it: AsyncIterable<{ text: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const l of it) out.push(l.text);
  return out;
}

describe('container log buffer', () => {
  const signal = new AbortController().signal;

  it('prints RFC 3339 timestamps with nanoseconds, increasing within a millisecond', () => {
    const d = new Date('2026-01-01T00:00:00.123Z');
    const a = nanoTimestamp(d);
    const b = nanoTimestamp(d);
    expect(a).toMatch(/^2026-01-01T00:00:00\.123\d{6}Z$/);
    expect(b > a).toBe(true);
  });

  it('selects by tailLines, sinceTime and limitBytes', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const log = new LogBuffer(() => new Date(now));
    log.write('one');
    now += 10_000;
    log.write('two\nthree', 'stderr');
    expect(await collect(log.read({}, signal))).toEqual(['one', 'two', 'three']);
    expect(await collect(log.read({ tailLines: 2 }, signal))).toEqual(['two', 'three']);
    expect(await collect(log.read({ sinceTime: '2026-01-01T00:00:05Z' }, signal))).toEqual(['two', 'three']);
    expect(await collect(log.read({ sinceSeconds: 5 }, signal))).toEqual(['two', 'three']);
    expect(await collect(log.read({ limitBytes: 8 }, signal))).toEqual(['one', 'two']);
    expect(log.lines[1]!.stream).toBe('stderr');
  });

  it('follow yields new lines and ends when the instance stops', async () => {
    const log = new LogBuffer(() => new Date());
    log.write('first');
    const reading = collect(log.read({ follow: true }, signal));
    log.write('second');
    await Promise.resolve();
    log.write('third');
    log.close();
    expect(await reading).toEqual(['first', 'second', 'third']);
  });

  it('follow ends when the reader goes away', async () => {
    const log = new LogBuffer(() => new Date());
    const ac = new AbortController();
    const reading = collect(log.read({ follow: true }, ac.signal));
    log.write('x');
    ac.abort();
    expect(await reading).toEqual(['x']);
  });

  it(`keeps the last ${maxLogLines} lines`, async () => {
    const log = new LogBuffer(() => new Date());
    for (let i = 0; i < maxLogLines + 5; i++) log.write(`line ${i}`);
    const lines = await collect(log.read({}, signal));
    expect(lines).toHaveLength(maxLogLines);
    expect(lines[0]).toBe('line 5');
  });
});
