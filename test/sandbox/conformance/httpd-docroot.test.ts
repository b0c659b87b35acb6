/**
 * The StatefulSet specs' readiness probe (`GET /index.html` on port 80 of httpd, period 1 s,
 * failure threshold 1), broken and restored by exec'ing `mv -v …/htdocs/index.html /tmp/ || true`
 * and back through `/bin/sh -x -c` (breakHTTPProbe / restoreHTTPProbe): httpd serves its document
 * root from the container's files, and the shell has `mv`.
 */
import { describe, expect, it } from 'vitest';
import { serveFile } from '../../../src/sandbox/node/file-server.js';
import { runArgv, VirtualFs, type ShellContext } from '../../../src/sandbox/node/shell.js';
import { httpd } from '../../../src/sandbox/images/test-images.js';

const HTDOCS = '/usr/local/apache2/htdocs';

function container() {
  const fs = new VirtualFs(httpd.files, ['/tmp']);
  const ctx: ShellContext = { env: new Map([['PATH', '/bin']]), fs, cwd: '/', hostname: 'ss-0', http: async () => ({ kind: 'refused' }), sleep: async () => {} };
  const probe = () => serveFile(httpd.fileServer!, fs, '/index.html')?.status ?? httpd.notFound.status;
  const sh = async (script: string) => {
    let out = '';
    const status = await runArgv(ctx, ['/bin/sh', '-x', '-c', script], { stdout: (s) => (out += s), stderr: (s) => (out += s) });
    return { status, out };
  };
  return { fs, probe, sh };
}

describe('httpd document root and mv', () => {
  it('GET /index.html and / answer the file; after mv away 404, after mv back 200', async () => {
    const c = container();
    expect(c.probe()).toBe(200);
    expect(serveFile(httpd.fileServer!, c.fs, '/')?.body).toContain('It works!');
    expect(await c.sh(`mv -v ${HTDOCS}/index.html /tmp/ || true`)).toEqual({ status: 0, out: `'${HTDOCS}/index.html' -> '/tmp/index.html'\n` });
    expect(c.probe()).toBe(404);
    expect(c.fs.read('/tmp/index.html')).toContain('It works!');
    // Idempotent, as the spec relies on: the second mv fails, `|| true` makes it succeed.
    expect((await c.sh(`mv -v ${HTDOCS}/index.html /tmp/ || true`)).status).toBe(0);
    expect((await c.sh(`mv -v /tmp/index.html ${HTDOCS}/ || true`)).status).toBe(0);
    expect(c.probe()).toBe(200);
  });

  it('mv renames a file; a missing source fails with busybox wording', async () => {
    const c = container();
    expect((await c.sh(`mv ${HTDOCS}/index.html ${HTDOCS}/old.html`)).status).toBe(0);
    expect(serveFile(httpd.fileServer!, c.fs, '/old.html')?.status).toBe(200);
    expect(await c.sh('mv /nope /tmp/')).toEqual({ status: 1, out: "mv: can't rename '/nope': No such file or directory\n" });
    expect(serveFile(httpd.fileServer!, c.fs, '/../../etc/passwd')).toBeUndefined();
  });
});
