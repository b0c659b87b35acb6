/** A lease holder of this host that has exited is known gone; any other is waited out. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { holderGoneOnThisHost, parseHolder, pidAlive } from '../../../src/engine/leader/holder-gone.js';
import { holderId } from '../../../src/engine/leader/leadership.js';

describe('holder gone', () => {
  const me = `host-a/${process.pid}/aa11`;
  const alive = (live: number[]) => (pid: number) => live.includes(pid);

  it.each([
    { name: 'another host: never known (wait for the expiry)', holder: 'host-b/123/bb22', live: [], gone: false },
    { name: 'this host, a pid that no longer runs', holder: 'host-a/123/bb22', live: [], gone: true },
    { name: 'this host, a pid that runs', holder: 'host-a/123/bb22', live: [123], gone: false },
    { name: 'this host, my own pid with another random part: an earlier process', holder: `host-a/${process.pid}/bb22`, live: [process.pid], gone: true },
    { name: 'me', holder: me, live: [], gone: false },
    { name: 'an id of another form', holder: 'something-else', live: [], gone: false },
  ])('$name', ({ holder, live, gone }) => {
    expect(holderGoneOnThisHost(holder, me, alive(live))).toBe(gone);
  });

  it('parses the ids holderId makes, names with slashes included', () => {
    expect(parseHolder(holderId('zone/host'))).toMatchObject({ name: 'zone/host', pid: process.pid });
  });

  it('pidAlive: this process runs, an exited child does not', () => {
    expect(pidAlive(process.pid)).toBe(true);
    const child = spawnSync(process.execPath, ['-e', '0']);
    expect(child.status).toBe(0);
    expect(pidAlive(child.pid!)).toBe(false);
  });
});
