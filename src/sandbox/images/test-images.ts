/**
 * The images of the Kubernetes v1.20 e2e suite (test/utils/image/manifest.go) that the focused
 * conformance specs run: agnhost 2.21, busybox 1.29, httpd 2.4.38/2.4.39-alpine and pause 3.2
 * (nginx 1.14/1.15-alpine are tags of ./nginx.ts). A container whose command is a shell command
 * (`sh -c …`, `sleep`, `cat`) runs it in the sandbox shell; otherwise the image's app runs — for
 * agnhost, the subcommand its arguments name (see ./subcommands.ts).
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

const goNotFound = { status: 404, body: '404 page not found\n', contentType: 'text/plain; charset=utf-8' };

/**
 * agnhost (test/images/agnhost, `ENTRYPOINT ["/agnhost"]`, `CMD ["pause"]`): what each subcommand the
 * e2e suite runs listens on and answers. `netexec`: HTTP on 8080 (hostname, echo, healthz);
 * `serve-hostname`: the hostname on 9376; `test-webserver`: a file server of / on 80; `liveness`:
 * `/healthz` ok for 10 s, then 500 (and `/redirect?loc=`); `pause`: nothing, until stopped.
 */
export const agnhost: ImageSpec = {
  ...base,
  name: 'agnhost',
  description: "Kubernetes' e2e test image (subcommands: pause, netexec, serve-hostname, test-webserver, liveness)",
  tags: ['2.21', '2.20', '2.12'],
  sizeBytes: 48_000_000,
  pullMs: 1_500,
  startupMs: 200,
  ports: [],
  http: {},
  notFound: goNotFound,
  healthPaths: [],
  memoryMi: 8,
  startupLogs: [],
  env: { PATH },
  command: ['/agnhost'],
  files: { '/agnhost': '' },
  defaultSubcommand: 'pause',
  subcommands: {
    pause: { description: 'agnhost pause: does nothing until stopped', ports: [], http: {}, startupMs: 10, startupLogs: [{ text: 'Paused' }] },
    netexec: {
      description: 'agnhost netexec: an HTTP server for network tests',
      ports: [8080],
      portFlag: 'http-port',
      http: {
        8080: {
          '/': { ...text('NOW: {now}'), log: 'GET /' },
          '/hostname': { ...text('{hostname}'), log: 'GET /hostname' },
          '/hostName': text('{hostname}'),
          '/echo': { ...text('{query:msg}'), log: 'GET /echo?msg={query:msg}&code={query:code}' },
          '/healthz': { ...text(''), log: 'GET /healthz' },
        },
      },
      healthPaths: ['/healthz'],
      startupLogs: [{ text: 'Started HTTP server on port 8080' }, { text: 'Started UDP server on port 8081' }],
    },
    'serve-hostname': {
      description: 'agnhost serve-hostname: its hostname over HTTP',
      ports: [9376],
      portFlag: 'port',
      http: { 9376: { '/': text('{hostname}') } },
      startupLogs: [{ text: 'Serving on port 9376.' }],
    },
    'test-webserver': {
      description: 'agnhost test-webserver: a file server of the container root',
      ports: [80],
      portFlag: 'port',
      http: {},
      fileServer: { port: 80, root: '/', listDirectories: true },
      healthPaths: ['/'],
    },
    liveness: {
      description: 'agnhost liveness: /healthz ok for 10 s, then 500',
      ports: [8080],
      http: {
        8080: {
          '/started': text('{uptimeSeconds}s'),
          '/healthz': { ...text('ok'), after: { ms: 10_000, answer: { status: 500, body: 'error: {uptimeSeconds}', contentType: 'text/plain; charset=utf-8' } } },
          '/redirect': { status: 302, body: '', headers: { Location: '{query:loc}' } },
        },
      },
      healthPaths: ['/healthz'],
    },
  },
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
  fileServer: { port: 80, root: '/usr/local/apache2/htdocs', index: 'index.html' },
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
