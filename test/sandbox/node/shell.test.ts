import { describe, expect, it } from 'vitest';
import { VirtualFs } from '../../../src/sandbox/node/filesystem.js';
import { runArgv, runScript, type HttpResult, type ShellContext } from '../../../src/sandbox/node/shell.js';

function ctx(): ShellContext {
  return {
    env: new Map([
      ['PATH', '/usr/bin:/bin'],
      ['HOSTNAME', 'web-0'],
      ['GREETING', 'hello world'],
    ]),
    fs: new VirtualFs({
      '/etc/config/app.yaml': 'port: 8080\n',
      '/app/demo': 'bin\n',
      '/app/lines.txt': Array.from({ length: 12 }, (_, i) => `line ${i + 1}\n`).join(''),
    }),
    cwd: '/app',
    hostname: 'web-0',
    localIPs: ['10.1.0.5'],
    async http(port: number, _method: string, path: string): Promise<HttpResult> {
      if (port !== 8080) return { kind: 'refused' };
      if (path === '/ready') return { kind: 'response', status: 503, headers: { 'Content-Type': 'text/plain' }, body: 'not ready\n' };
      return { kind: 'response', status: 200, headers: { 'Content-Type': 'text/plain' }, body: `hit ${path}\n` };
    },
    sleep: async () => {},
  };
}

async function sh(script: string, c = ctx()) {
  let stdout = '';
  let stderr = '';
  const code = await runScript(c, script, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

describe('sandbox shell', () => {
  it.each([
    ['echo hi', 0, 'hi\n', ''],
    ['echo -n hi', 0, 'hi', ''],
    ['echo "$GREETING" \'$GREETING\'', 0, 'hello world $GREETING\n', ''],
    ['echo ${MISSING:-fallback}', 0, 'fallback\n', ''],
    ['printenv GREETING', 0, 'hello world\n', ''],
    ['printenv NOPE', 1, '', ''],
    ['pwd', 0, '/app\n', ''],
    ['hostname', 0, 'web-0\n', ''],
    ['cat /etc/config/app.yaml', 0, 'port: 8080\n', ''],
    ['cat /nope', 1, '', 'cat: /nope: No such file or directory\n'],
    ['ls /etc/config', 0, 'app.yaml\n', ''],
    ['ls /nope', 2, '', "ls: cannot access '/nope': No such file or directory\n"],
    ['true && echo yes', 0, 'yes\n', ''],
    ['false && echo yes', 1, '', ''],
    ['false || echo fallback', 0, 'fallback\n', ''],
    ['false; echo $?', 0, '1\n', ''],
    ['exit 3', 3, '', ''],
    ['exit 3; echo unreachable', 3, '', ''],
    ['frobnicate', 127, '', 'sh: frobnicate: not found\n'],
    ['sh -c "exit 4"', 4, '', ''],
    ['curl -s http://localhost:8080/x', 0, 'hit /x\n', ''],
    ['curl http://localhost:9999/', 7, '', 'curl: (7) Failed to connect to localhost port 9999: Connection refused\n'],
    ['curl -s http://localhost:9999/', 7, '', ''],
    ['curl -sf http://localhost:8080/ready', 22, '', ''],
    ['curl -f http://localhost:8080/ready', 22, '', 'curl: (22) The requested URL returned error: 503\n'],
    ['curl -s http://localhost:8080/ready', 0, 'not ready\n', ''],
    ['curl -s http://example.com/', 6, '', ''],
    ['cat /etc/config/app.yaml | grep port', 0, 'port: 8080\n', ''],
    ['test -f /app/demo && echo file', 0, 'file\n', ''],
    ['[ -d /etc ] && echo dir', 0, 'dir\n', ''],
    ['wget -qO- http://localhost:8080/a', 0, 'hit /a\n', ''],
    ['echo oops >&2', 0, '', 'oops\n'],
    ['cat /nope 2>/dev/null || echo missing', 0, 'missing\n', ''],
    // head and tail in the forms people type
    ['head -3 lines.txt', 0, 'line 1\nline 2\nline 3\n', ''],
    ['head -n 2 lines.txt', 0, 'line 1\nline 2\n', ''],
    ['head -n2 lines.txt', 0, 'line 1\nline 2\n', ''],
    ['cat lines.txt | head -2', 0, 'line 1\nline 2\n', ''],
    ['head lines.txt | wc -l', 0, '10\n', ''],
    ['tail -n 2 lines.txt', 0, 'line 11\nline 12\n', ''],
    ['tail -1 lines.txt', 0, 'line 12\n', ''],
    ['cat lines.txt | tail -n +12', 0, 'line 12\n', ''],
    ['tail lines.txt | head -1', 0, 'line 3\n', ''],
    ['echo -n a | head -5', 0, 'a', ''],
    ['head -n x lines.txt', 1, '', "head: invalid number of lines: 'x'\n"],
    ['head -x lines.txt', 1, '', "head: invalid option -- 'x'\n"],
    ['head /nope', 1, '', 'head: /nope: No such file or directory\n'],
    // grep: flags, regular expressions, files
    ['env | grep GREETING', 0, 'GREETING=hello world\n', ''],
    ['env | grep -i greeting', 0, 'GREETING=hello world\n', ''],
    ['env | grep ^HOST', 0, 'HOSTNAME=web-0\n', ''],
    ['env | grep -c =', 0, '3\n', ''],
    ['env | grep -v -e PATH -e nothing | grep -vi greeting', 0, 'HOSTNAME=web-0\n', ''],
    ['env | grep -q NOPE || echo absent', 0, 'absent\n', ''],
    ["grep -n 'line 1[12]' lines.txt", 0, '11:line 11\n12:line 12\n', ''],
    ['grep -E "1+2" lines.txt', 0, 'line 12\n', ''],
    ['grep port /nope', 2, '', 'grep: /nope: No such file or directory\n'],
    ['wc -l lines.txt', 0, '12\n', ''],
    ['env | sort | head -1', 0, 'GREETING=hello world\n', ''],
    ['env | sort -r | head -n 1', 0, 'PATH=/usr/bin:/bin\n', ''],
    ['printf_missing | sort', 0, '', 'sh: printf_missing: not found\n'],
    // variables
    ['FOO=bar env | grep FOO', 0, 'FOO=bar\n', ''],
    ['FOO=bar true; printenv FOO', 1, '', ''],
    ['A=1 B=2; echo $A$B', 0, '12\n', ''],
    ['A=1; unset A; echo "[$A]"', 0, '[]\n', ''],
  ])('%s', async (script, code, stdout, stderr) => {
    expect(await sh(script)).toEqual({ code, stdout, stderr });
  });

  it('curl -i shows the status line and headers', async () => {
    const r = await sh('curl -si http://127.0.0.1:8080/');
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: text\/plain\r\n\r\nhit \/\n$/);
  });

  it('env lists the environment', async () => {
    const r = await sh('env');
    expect(r.stdout.split('\n')).toContain('GREETING=hello world');
  });

  it('export sets a variable for later commands', async () => {
    expect((await sh('export A=1; printenv A')).stdout).toBe('1\n');
  });

  it('runs an argv directly without a shell', async () => {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s) };
    expect(await runArgv(ctx(), ['cat', '/etc/config/app.yaml'], io)).toBe(0);
    expect(out).toBe('port: 8080\n');
    expect(await runArgv(ctx(), ['/bin/sh', '-c', 'echo $HOSTNAME'], io)).toBe(0);
    expect(out).toBe('port: 8080\nweb-0\n');
    expect(await runArgv(ctx(), ['nosuch'], io)).toBe(126);
    expect(err).toContain('executable file not found in $PATH');
  });

  it('reports a syntax error', async () => {
    const r = await sh('echo "unterminated');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unterminated quoted string');
  });
});
