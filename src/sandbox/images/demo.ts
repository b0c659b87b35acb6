import type { ImageSpec } from './types.js';

const access = 'level=info msg="request" method={method} path={path} status={status}';

/** cairn's own demo app (`cairn/demo`), the image the README and the tests deploy. */
export const demo: ImageSpec = {
  name: 'demo',
  description: "cairn's demo app on 8080 with /healthz (liveness) and /ready (readiness)",
  tags: ['latest', 'v1', 'v2', 'v3', '1.0.0', '1.1.0', '2.0.0'],
  sizeBytes: 18_000_000,
  pullMs: 1_200,
  startupMs: 2_000,
  ports: [8080],
  http: {
    8080: {
      '/': { status: 200, body: 'Hello from the cairn demo app\n', contentType: 'text/plain; charset=utf-8', log: access },
      '/healthz': { status: 200, body: 'ok\n', contentType: 'text/plain; charset=utf-8' },
      '/ready': { status: 200, body: 'ready\n', contentType: 'text/plain; charset=utf-8' },
      '/version': { status: 200, body: '{"app":"demo"}', contentType: 'application/json' },
    },
  },
  notFound: { status: 404, body: '404 page not found\n', contentType: 'text/plain; charset=utf-8', log: access },
  healthPaths: ['/healthz', '/ready'],
  unhealthyAnswer: { status: 503, body: 'not ready\n', contentType: 'text/plain; charset=utf-8' },
  memoryMi: 24,
  startupLogs: [{ text: 'level=info msg="starting demo" version=1.0.0' }, { text: 'level=info msg="loading configuration" path=/etc/demo', atMs: 500 }],
  readyLogs: [{ text: 'level=info msg="listening" addr=:8080' }],
  periodicLog: { everyMs: 30_000, text: 'level=info msg="tick" goroutines=8' },
  shutdownLogs: [{ text: 'level=info msg="shutting down" signal=terminated' }],
  sigtermExitCode: 0,
  env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
  workingDir: '/app',
  command: ['/app/demo'],
  files: {
    '/app/demo': '(binary, 12 MB)\n',
    '/etc/os-release': 'PRETTY_NAME="Alpine Linux v3.20"\nNAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\n',
  },
};
