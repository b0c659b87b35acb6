/**
 * The container shell as busybox's sh runs the e2e suite's probe commands (issue: `echo ok
 * >/tmp/health` printed the literal text and there was no `touch`, so exec probes failed):
 * redirection to files (truncate, append, stderr, input), `touch`, `rm -rf`, `mkdir`.
 */
import { describe, expect, it } from 'vitest';
import { runScript, VirtualFs, type ShellContext } from '../../../src/sandbox/node/shell.js';

const ctx = (): ShellContext => ({
  env: new Map([['PATH', '/bin']]),
  fs: new VirtualFs({}, ['/tmp']),
  cwd: '/tmp',
  hostname: 'pod',
  http: async () => ({ kind: 'refused' }),
  sleep: async () => {},
});

async function sh(c: ShellContext, script: string) {
  let stdout = '';
  let stderr = '';
  const status = await runScript(c, script, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { status, stdout, stderr };
}

describe('shell redirection and file commands', () => {
  it('echo ok >/tmp/health; cat /tmp/health (the liveness probe spec)', async () => {
    const c = ctx();
    expect(await sh(c, 'echo ok >/tmp/health; sleep 10')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(await sh(c, 'cat /tmp/health')).toEqual({ status: 0, stdout: 'ok\n', stderr: '' });
    expect((await sh(c, 'rm -rf /tmp/health; cat /tmp/health')).status).toBe(1);
  });

  it('>> appends, > truncates, 2> takes stderr, < reads, relative paths from the cwd', async () => {
    const c = ctx();
    await sh(c, 'echo one > log; echo two >> log; cat missing 2>err; cat <log >copy');
    expect(c.fs.read('/tmp/log')).toBe('one\ntwo\n');
    expect(c.fs.read('/tmp/copy')).toBe('one\ntwo\n');
    expect(c.fs.read('/tmp/err')).toBe('cat: missing: No such file or directory\n');
    await sh(c, 'echo three > log');
    expect(c.fs.read('/tmp/log')).toBe('three\n');
  });

  it('touch makes an empty file and keeps an existing one; rm without -f complains', async () => {
    const c = ctx();
    expect((await sh(c, 'touch /tmp/ready && test -f /tmp/ready')).status).toBe(0);
    await sh(c, 'echo x > /tmp/keep; touch /tmp/keep');
    expect(c.fs.read('/tmp/keep')).toBe('x\n');
    expect(await sh(c, 'rm /tmp/nothing')).toEqual({ status: 1, stdout: '', stderr: "rm: can't remove '/tmp/nothing': No such file or directory\n" });
    expect((await sh(c, 'mkdir -p /data/x && touch /data/x/f && ls /data/x')).stdout).toBe('f\n');
  });
});
