/** Hooks that hang, exec probes, grace periods and interactive exec — through client-node against a sandbox cluster. */
import { PassThrough, Writable } from 'node:stream';
import { Exec, type V1Container, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastCluster, status, waitForEvent, waitForPod, waitForPodGone, type TestCluster } from './helpers.js';

let t: TestCluster;
beforeAll(async () => {
  t = await fastCluster(100);
});
afterAll(async () => {
  await t?.stop();
});

let n = 0;
async function run(container: Partial<V1Container> & { image: string }, spec: Partial<V1Pod['spec']> = {}): Promise<string> {
  const name = `h${++n}`;
  await t.core.createNamespacedPod({ namespace: 'default', body: { metadata: { name }, spec: { nodeName: t.node, ...spec, containers: [{ name: 'app', ...container }] } } });
  return name;
}

describe('hooks', () => {
  it('a hanging PostStart hook keeps the container from running', async () => {
    const pod = await run({ image: 'cairn/demo:v1', lifecycle: { postStart: { exec: { command: ['sh', '-c', 'sleep 3600'] } } } });
    await waitForEvent(t, pod, 'Started', 'Started container app');
    await t.cluster.clock.sleep(60_000); // a simulated minute passes: nothing may change
    const p = await t.core.readNamespacedPod({ name: pod, namespace: 'default' });
    expect(status(p)?.state?.waiting?.reason).toBe('ContainerCreating');
    expect(p.status?.phase).toBe('Pending');
  });

  it('an HTTP PostStart hook against a closed port fails, and the container is killed', async () => {
    const pod = await run({ image: 'cairn/demo:v1', lifecycle: { postStart: { httpGet: { path: '/warm', port: 9090 } } } });
    const ev = await waitForEvent(t, pod, 'FailedPostStartHook');
    expect(ev.message).toBe('PostStartHook failed');
    await waitForEvent(t, pod, 'Killing', 'FailedPostStartHook');
  });

  it('a PostStart hook that waits for the app and curls it passes', async () => {
    const pod = await run({ image: 'nginx:1.25', lifecycle: { postStart: { exec: { command: ['sh', '-c', 'sleep 1; curl -sf http://localhost/'] } } } });
    const p = await waitForPod(t, pod, (p) => Boolean(status(p)?.state?.running));
    expect(status(p)?.restartCount).toBe(0);
  });

  it('a PreStop hook that outlives the grace period is cut off and the pod removed', async () => {
    const pod = await run({ image: 'cairn/demo:v1', lifecycle: { preStop: { exec: { command: ['sleep', '3600'] } } } }, { terminationGracePeriodSeconds: 20 });
    await waitForPod(t, pod, (p) => Boolean(status(p)?.state?.running));
    const started = Date.now();
    await t.core.deleteNamespacedPod({ name: pod, namespace: 'default' });
    await waitForEvent(t, pod, 'Killing', 'Stopping container app');
    await waitForPodGone(t, pod);
    // 20 simulated seconds at speed 100 are 200 ms: removal waited for the grace period, not the hour.
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('probes', () => {
  it('exec probes run in the simulated shell: a failing command is Unhealthy with its output', async () => {
    const pod = await run({ image: 'cairn/demo:v1', readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 5 } });
    const ev = await waitForEvent(t, pod, 'Unhealthy', 'Readiness probe failed: cat: /tmp/ready: No such file or directory');
    expect(ev.type).toBe('Warning');
  });

  it('a passing exec probe makes the container ready', async () => {
    const pod = await run({ image: 'cairn/demo:v1', readinessProbe: { exec: { command: ['sh', '-c', 'curl -sf http://localhost:8080/ready'] }, periodSeconds: 5 } });
    const p = await waitForPod(t, pod, (p) => status(p)?.ready === true);
    expect(status(p)?.state?.running).toBeDefined();
  });

  it('a TCP probe on a closed port fails with the dial error', async () => {
    const pod = await run({ image: 'nginx:1.25', livenessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 10 } });
    const ev = await waitForEvent(t, pod, 'Unhealthy', 'Liveness probe failed: dial tcp');
    expect(ev.message).toMatch(/:8080: connect: connection refused$/);
  });
});

describe('interactive exec', () => {
  it('gives a prompt, echoes input on a tty, runs commands and ends on exit', async () => {
    const pod = await run({ image: 'nginx:1.25' });
    await waitForPod(t, pod, (p) => Boolean(status(p)?.state?.running));
    const stdin = new PassThrough();
    let out = '';
    const stdout = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
    const done = new Promise<V1Status>((resolve, reject) => {
      new Exec(t.kc).exec('default', pod, 'app', ['sh'], stdout, null, stdin, true, (s) => resolve(s)).catch(reject);
    });
    stdin.write('cat /etc/nginx/conf.d/default.conf | grep listen\r');
    stdin.write('exit 0\r');
    const s = await done;
    expect(s.status).toBe('Success');
    expect(out).toContain('# ');
    expect(out).toContain('cat /etc/nginx/conf.d/default.conf | grep listen\r\n');
    expect(out).toContain('    listen       80;\r\n');
  });
});

describe('probe schemes', () => {
  it("an HTTPS probe against the plain-HTTP app fails as Go's client reports it", async () => {
    const pod = await run({ image: 'nodejs:20', readinessProbe: { httpGet: { path: '/health', port: 3000, scheme: 'HTTPS' }, periodSeconds: 5 } });
    const ev = await waitForEvent(t, pod, 'Unhealthy', 'http: server gave HTTP response to HTTPS client');
    expect(ev.message).toMatch(/^Readiness probe failed: Get "https:\/\/10\.1\.0\.\d+:3000\/health": http: server gave HTTP response to HTTPS client$/);
  });
});

describe('log files inside the container', () => {
  it("the app's log file shows what it logged, access lines included", async () => {
    const pod = await run({ image: 'nginx:1.27' });
    await waitForPod(t, pod, (p) => Boolean(status(p)?.state?.running));
    let out = '';
    const stdout = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
    await new Promise<V1Status>((resolve, reject) => {
      new Exec(t.kc).exec('default', pod, 'app', ['sh', '-c', 'curl -s localhost/missing >/dev/null; cat /var/log/nginx/access.log'], stdout, null, null, false, (s) => resolve(s)).catch(reject);
    });
    expect(out).toContain('"GET /missing HTTP/1.1" 404');
    const log = await t.core.readNamespacedPodLog({ name: pod, namespace: 'default' });
    expect(log).toContain('"GET /missing HTTP/1.1" 404');
  });
});

describe('signals from exec', () => {
  const execIn = (pod: string, command: string[]) =>
    new Promise<{ out: string; status: V1Status }>((resolve, reject) => {
      let out = '';
      const stdout = new Writable({ write: (c, _e, cb) => ((out += c.toString()), cb()) });
      new Exec(t.kc).exec('default', pod, 'app', command, stdout, null, null, false, (s) => resolve({ out, status: s })).catch(reject);
    });

  it('ps shows the main process; kill 1 ends the container, which is restarted', async () => {
    const pod = await run({ image: 'springboot2:2.7' });
    await waitForPod(t, pod, (p) => Boolean(status(p)?.state?.running));
    expect((await execIn(pod, ['ps'])).out).toContain('    1 root      0:01 java -jar /acs/code/app.jar');
    await execIn(pod, ['kill', '1']);
    const p = await waitForPod(t, pod, (p) => status(p)?.restartCount === 1 && Boolean(status(p)?.state?.running));
    expect(status(p)?.lastState?.terminated).toMatchObject({ exitCode: 143, reason: 'Error' });
    const previous = await t.core.readNamespacedPodLog({ name: pod, namespace: 'default', previous: true });
    expect(previous).toContain('Commencing graceful shutdown');
  });
});
