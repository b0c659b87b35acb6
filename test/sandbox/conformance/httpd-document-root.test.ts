/**
 * httpd serves its document root from the container's files, and the shell has `mv`/`cp` (the
 * StatefulSet specs probe `/index.html` on port 80, then break and restore readiness with
 * `mv -v /usr/local/apache2/htdocs/index.html /tmp/ || true` and back; before, httpd answered only
 * `/` from a fixed table and `mv` was not found, so the probe never failed).
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exec, type V1Status } from '@kubernetes/client-node';
import { fastCluster, status, waitForPod, type TestCluster } from '../node/helpers.js';
import { runScript, VirtualFs, type ShellContext } from '../../../src/sandbox/node/shell.js';

let t: TestCluster;
const name = 'ss-0';

beforeAll(async () => {
  t = await fastCluster(50);
  await t.core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: { name },
      spec: {
        containers: [
          {
            name: 'webserver',
            image: 'docker.io/library/httpd:2.4.38-alpine',
            readinessProbe: { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, successThreshold: 1, failureThreshold: 1 },
          },
        ],
      },
    },
  });
});
afterAll(() => t.stop());

function exec(command: string): Promise<{ stdout: string; status: V1Status }> {
  let stdout = '';
  const out = new Writable({ write: (chunk, _e, cb) => ((stdout += chunk), cb()) });
  const err = new Writable({ write: (_c, _e, cb) => cb() });
  return new Promise((resolve, reject) => {
    new Exec(t.kc).exec('default', name, 'webserver', ['/bin/sh', '-c', command], out, err, null, false, (s) => resolve({ stdout, status: s })).catch(reject);
  });
}

describe("httpd's document root", () => {
  it('is Ready on /index.html; mv away makes it unready, mv back makes it Ready again', async () => {
    await waitForPod(t, name, (p) => Boolean(status(p)?.ready), 'ready');
    const away = await exec('mv -v /usr/local/apache2/htdocs/index.html /tmp/ || true');
    expect(away.stdout).toBe("'/usr/local/apache2/htdocs/index.html' -> '/tmp/index.html'\n");
    await waitForPod(t, name, (p) => status(p)?.ready === false && Boolean(status(p)?.state?.running), 'unready');
    await exec('mv -v /tmp/index.html /usr/local/apache2/htdocs/ || true');
    const back = await waitForPod(t, name, (p) => Boolean(status(p)?.ready), 'ready again');
    expect(status(back)?.restartCount).toBe(0);
  });
});

describe('mv and cp', () => {
  const ctx = (): ShellContext => ({ env: new Map(), fs: new VirtualFs({ '/w/a.txt': 'a', '/w/d/x': 'x' }, ['/tmp']), cwd: '/w', hostname: 'p', http: async () => ({ kind: 'refused' }), sleep: async () => {} });
  const sh = async (c: ShellContext, script: string) => {
    let stdout = '';
    let stderr = '';
    const code = await runScript(c, script, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
    return { code, stdout, stderr };
  };

  it('move into a directory or to a new name, copy files and trees, and complain about what is missing', async () => {
    const c = ctx();
    expect(await sh(c, 'mv a.txt /tmp && cat /tmp/a.txt')).toEqual({ code: 0, stdout: 'a', stderr: '' });
    expect(await sh(c, 'mv d /tmp/e && cat /tmp/e/x && ls /w')).toEqual({ code: 0, stdout: 'x', stderr: '' });
    expect(await sh(c, 'cp /tmp/a.txt /tmp/b.txt; cp -r /tmp/e /w/f; cat /tmp/b.txt /w/f/x')).toEqual({ code: 0, stdout: 'ax', stderr: '' });
    expect(await sh(c, 'mv nothing /tmp')).toEqual({ code: 1, stdout: '', stderr: "mv: can't rename 'nothing': No such file or directory\n" });
    expect((await sh(c, 'cp /tmp/e /w/g')).stderr).toBe("cp: omitting directory '/tmp/e'\n");
  });
});
