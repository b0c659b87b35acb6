/**
 * The images of the Kubernetes v1.20 e2e suite (test/utils/image/manifest.go) that the focused
 * conformance specs run: agnhost 2.21, busybox 1.29, httpd 2.4.38/2.4.39-alpine and pause 3.2
 * (nginx 1.14/1.15-alpine are tags of ./nginx.ts). A container whose command is a shell command
 * (`sh -c …`, `sleep`, `cat`) runs it in the sandbox shell; otherwise the image's app runs.
 */
import type { ImageSpec } from './types.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const text = (body: string) => ({ status: 200, body, contentType: 'text/plain; charset=utf-8' });
const base = {
  notFound: { status: 404, body: '404 page not found\n', contentType: 'text/plain; charset=utf-8' },
  unhealthyAnswer: { status: 503, body: 'not ready\n', contentType: 'text/plain' },
  readyLogs: [],
  shutdownLogs: [],
  sigtermExitCode: 0,
  workingDir: '/',
};

/** agnhost: netexec (HTTP on 8080) and serve-hostname (9376) answer; other subcommands just run. */
export const agnhost: ImageSpec = {
  ...base,
  name: 'agnhost',
  description: "Kubernetes' e2e test image (netexec on 8080, serve-hostname on 9376)",
  tags: ['2.21', '2.20', '2.12'],
  sizeBytes: 48_000_000,
  pullMs: 1_500,
  startupMs: 200,
  ports: [8080, 9376],
  http: {
    8080: { '/': text('NOW: 2021-01-01 00:00:00 +0000 UTC'), '/healthz': text('ok'), '/echo': text(''), '/hostname': text('agnhost') },
    9376: { '/': text('agnhost') },
  },
  healthPaths: ['/healthz'],
  memoryMi: 8,
  startupLogs: [],
  env: { PATH },
  command: ['/agnhost'],
  files: {},
};

/** busybox: a shell; run without a command it is `sh`, which exits at once with no terminal. */
export const busybox: ImageSpec = {
  ...base,
  name: 'busybox',
  description: 'BusyBox: a shell and the usual commands',
  tags: ['1.29', '1.29-1', 'latest', '1.36'],
  sizeBytes: 1_400_000,
  pullMs: 500,
  startupMs: 50,
  ports: [],
  http: {},
  healthPaths: [],
  memoryMi: 1,
  startupLogs: [],
  env: { PATH },
  command: ['sh'],
  files: {},
};

/** httpd (Apache), the e2e suite's web server image: "It works!" on port 80. */
export const httpd: ImageSpec = {
  ...base,
  name: 'httpd',
  description: 'Apache httpd serving "It works!" on port 80',
  tags: ['2.4.38-alpine', '2.4.39-alpine', 'alpine', 'latest'],
  sizeBytes: 32_000_000,
  pullMs: 1_200,
  startupMs: 200,
  ports: [80],
  http: {},
  docRoot: { port: 80, dir: '/usr/local/apache2/htdocs' },
  notFound: { status: 404, body: '<html><body><h1>Not Found</h1></body></html>\n', contentType: 'text/html' },
  healthPaths: ['/'],
  memoryMi: 6,
  startupLogs: [{ text: 'AH00558: httpd: Could not reliably determine the server\'s fully qualified domain name', stream: 'stderr' }],
  env: { PATH, HTTPD_PREFIX: '/usr/local/apache2' },
  command: ['httpd-foreground'],
  files: { '/usr/local/apache2/htdocs/index.html': '<html><body><h1>It works!</h1></body></html>\n' },
};

/** pause: sleeps until stopped. */
export const pause: ImageSpec = {
  ...base,
  name: 'pause',
  description: 'The pause container: does nothing until stopped',
  tags: ['3.2', '3.1', '3.9', 'latest'],
  sizeBytes: 300_000,
  pullMs: 300,
  startupMs: 10,
  ports: [],
  http: {},
  healthPaths: [],
  memoryMi: 1,
  startupLogs: [],
  env: { PATH },
  command: ['/pause'],
  files: {},
};
