/**
 * agnhost's subcommands as the focused e2e specs run them (issue: the catalog's agnhost answered the
 * same on every port whatever its arguments, so `test-webserver` probes on port 80 failed and the
 * `liveness` server never turned unhealthy): `pause` by default (its CMD), `serve-hostname` answering
 * the pod's hostname (ReplicaSet "serve a basic image"), `test-webserver` on 80 (Probing container
 * readiness/liveness on `/`), `liveness` whose /healthz fails 10 s after start (Probing container
 * "restarted with a /healthz http liveness probe", "monotonically increasing restart count").
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/sandbox/clock.js';
import { resolveImage, type ResolvedImage } from '../../../src/sandbox/images/catalog.js';
import { flagValue, withSubcommand } from '../../../src/sandbox/images/subcommands.js';
import { AppProcess } from '../../../src/sandbox/node/app.js';
import { LogBuffer } from '../../../src/sandbox/node/logs.js';
import { VirtualFs } from '../../../src/sandbox/node/filesystem.js';

const agnhost = (): ResolvedImage => {
  const r = resolveImage('registry.k8s.io/e2e-test-images/agnhost:2.21');
  if (!r.ok) throw new Error(r.message);
  return r.image;
};

/** A clock moved by hand: `advance(ms)` runs what falls due. */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = Date.parse('2026-01-01T00:00:00Z');
  let timers: { at: number; fn: () => void }[] = [];
  const after = (ms: number, fn: () => void) => {
    const timer = { at: t + ms, fn };
    timers.push(timer);
    return () => void (timers = timers.filter((x) => x !== timer));
  };
  return {
    speed: 1,
    now: () => new Date(t),
    real: (ms) => ms,
    sleep: (ms) => new Promise((r) => after(ms, () => r())),
    after,
    every: () => () => undefined,
    advance(ms) {
      t += ms;
      const due = timers.filter((x) => x.at <= t);
      timers = timers.filter((x) => x.at > t);
      for (const x of due) x.fn();
    },
  };
}

function run(image: ResolvedImage, hostname = 'web-0') {
  const clock = manualClock();
  const log = new LogBuffer(() => clock.now());
  const fs = new VirtualFs(image.spec.files, ['/tmp', '/etc']);
  const app = new AppProcess(image, { clock, log, firstPod: false, hostname, fs, onExit: () => undefined });
  const get = (port: number, path: string) => {
    const r = app.request(port, 'GET', path);
    return r.kind === 'refused' ? 'refused' : { status: r.status, body: r.body, location: r.headers.Location };
  };
  return { clock, log, app, get };
}

describe('agnhost subcommands', () => {
  it('are chosen by args, or by what follows /agnhost in the command; no arguments run its CMD, pause', () => {
    const image = agnhost();
    expect(withSubcommand(image, undefined, undefined).spec).toMatchObject({ ports: [], command: ['/agnhost', 'pause'] });
    expect(withSubcommand(image, undefined, ['serve-hostname']).spec).toMatchObject({ ports: [9376], command: ['/agnhost', 'serve-hostname'] });
    expect(withSubcommand(image, ['/agnhost', 'netexec', '--http-port=8081'], undefined).spec.ports).toEqual([8081]);
    expect(withSubcommand(image, ['agnhost'], ['test-webserver', '--port', '8000']).spec.ports).toEqual([8000]);
    expect(withSubcommand(image, ['/bin/other'], ['netexec']).spec.ports).toEqual([]); // another entrypoint: not agnhost's subcommand
    expect(flagValue(['-port=5', '--x'], 'port')).toBe('5');
  });

  it('serve-hostname answers the pod hostname on 9376 once listening', () => {
    const { clock, get } = run(withSubcommand(agnhost(), undefined, ['serve-hostname']), 'my-hostname-basic-x');
    expect(get(9376, '/')).toBe('refused');
    clock.advance(500);
    expect(get(9376, '/')).toEqual({ status: 200, body: 'my-hostname-basic-x', location: undefined });
    expect(get(8080, '/')).toBe('refused');
  });

  it('test-webserver serves the container root on port 80 (a listing, files, 404 elsewhere); nothing listens on 81', () => {
    const { clock, get } = run(withSubcommand(agnhost(), undefined, ['test-webserver']));
    clock.advance(500);
    expect(get(80, '/')).toEqual({ status: 200, body: '<pre>\n<a href="agnhost">agnhost</a>\n<a href="etc/">etc/</a>\n<a href="tmp/">tmp/</a>\n</pre>\n', location: undefined });
    expect(get(80, '/agnhost')).toMatchObject({ status: 200 });
    expect(get(80, '/missing')).toMatchObject({ status: 404, body: '404 page not found\n' });
    expect(get(81, '/')).toBe('refused');
  });

  it('liveness: /healthz is ok for 10 s after start, then 500; /redirect redirects to loc', () => {
    const { clock, get } = run(withSubcommand(agnhost(), undefined, ['liveness']));
    clock.advance(500);
    expect(get(8080, '/healthz')).toMatchObject({ status: 200, body: 'ok' });
    clock.advance(9_000);
    expect(get(8080, '/healthz')).toMatchObject({ status: 200 });
    clock.advance(1_000);
    expect(get(8080, '/healthz')).toEqual({ status: 500, body: 'error: 10.5', location: undefined });
    expect(get(8080, '/redirect?loc=%2Fhealthz')).toMatchObject({ status: 302, location: '/healthz' });
  });

  it('netexec: hostname, echo (logged), healthz', () => {
    const { clock, log, get } = run(withSubcommand(agnhost(), undefined, ['netexec']));
    clock.advance(500);
    expect(get(8080, '/hostname')).toMatchObject({ body: 'web-0' });
    expect(get(8080, '/echo?msg=hello%20there')).toMatchObject({ status: 200, body: 'hello there' });
    expect(get(8080, '/healthz')).toMatchObject({ status: 200 });
    expect(log.lines.map((l) => l.text)).toEqual(['Started HTTP server on port 8080', 'Started UDP server on port 8081', 'GET /hostname', 'GET /echo?msg=hello there&code=', 'GET /healthz']);
  });
});
