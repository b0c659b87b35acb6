import { describe, expect, it } from 'vitest';
import { describeStartFailure, startFailureLine } from '../../src/server/start-failure.js';

const systemError = (message: string, fields: Record<string, unknown>) => Object.assign(new Error(message), fields);

describe('start-up failure messages', () => {
  it.each([
    [
      systemError('listen EADDRINUSE: address already in use 0.0.0.0:4000', { code: 'EADDRINUSE', syscall: 'listen', address: '0.0.0.0', port: 4000 }),
      { code: 'EADDRINUSE', message: 'cannot listen on 0.0.0.0:4000: the port is already in use by another process; stop it or choose another port (CAIRN_PORT)' },
    ],
    [
      systemError('listen EACCES: permission denied 0.0.0.0:80', { code: 'EACCES', syscall: 'listen', address: '0.0.0.0', port: 80 }),
      { code: 'EACCES', message: 'cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need privileges); choose another port (CAIRN_PORT)' },
    ],
    [
      systemError('listen EADDRNOTAVAIL: address not available 10.9.9.9:4000', { code: 'EADDRNOTAVAIL', syscall: 'listen', address: '10.9.9.9', port: 4000 }),
      { code: 'EADDRNOTAVAIL', message: 'cannot listen on 10.9.9.9:4000: no such address on this machine; choose another host (CAIRN_HOST)' },
    ],
    [
      systemError("EACCES: permission denied, open '/data/cairn.db'", { code: 'EACCES', syscall: 'open', path: '/data/cairn.db' }),
      { code: 'EACCES', message: 'cannot open /data/cairn.db: permission denied' },
    ],
    [
      systemError('cannot read the kubeconfig /etc/kc (EISDIR)', { code: 'EISDIR', syscall: 'read', path: '/etc/kc' }),
      { code: 'EISDIR', message: 'cannot read the kubeconfig /etc/kc (EISDIR): it is a directory, not a file' },
    ],
    [new Error('invalid configuration: port: too big'), { message: 'invalid configuration: port: too big' }],
    ['a thrown string', { message: 'a thrown string' }],
  ])('%s', (error, expected) => {
    expect(describeStartFailure(error)).toEqual(expected);
  });

  it('is one line of JSON in the shape of the other log lines, never a stack', () => {
    const error = new Error('first line\nsecond line');
    const text = startFailureLine(error, new Date('2026-01-02T03:04:05.000Z'));
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(text)).toEqual({ level: 60, time: '2026-01-02T03:04:05.000Z', service: 'cairn', msg: 'cannot start: first line\nsecond line' });
    expect(text).not.toContain('at ');
  });
});
