import type { ImageSpec } from './types.js';

const page = '<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n';
const access = '10.1.0.1 - - "{method} {path} HTTP/1.1" {status} 615 "-" "kube-probe/1.31"';

export const nginx: ImageSpec = {
  name: 'nginx',
  description: 'nginx web server serving its welcome page on port 80',
  tags: ['latest', 'stable', 'alpine', '1.25', '1.25.5', '1.26', '1.27', '1.27.3', '1.14-alpine', '1.15-alpine'],
  sizeBytes: 71_000_000,
  pullMs: 2_400,
  startupMs: 300,
  ports: [80],
  http: { 80: { '/': { status: 200, body: page, contentType: 'text/html', log: access } } },
  notFound: { status: 404, body: '<html><body><h1>404 Not Found</h1></body></html>\n', contentType: 'text/html', log: access },
  healthPaths: ['/'],
  unhealthyAnswer: { status: 503, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n', contentType: 'text/html' },
  memoryMi: 12,
  startupLogs: [
    { text: '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration' },
    { text: '/docker-entrypoint.sh: Configuration complete; ready for start up', atMs: 100 },
    { text: '2024/01/01 00:00:00 [notice] 1#1: using the "epoll" event method', stream: 'stderr', atMs: 200 },
  ],
  readyLogs: [{ text: '2024/01/01 00:00:00 [notice] 1#1: start worker processes', stream: 'stderr' }],
  shutdownLogs: [{ text: '2024/01/01 00:00:00 [notice] 1#1: signal 15 (SIGTERM) received, exiting', stream: 'stderr' }],
  sigtermExitCode: 0,
  env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', NGINX_VERSION: '1.27.3' },
  workingDir: '/',
  command: ['/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'],
  logFile: '/var/log/nginx/access.log',
  files: {
    '/etc/nginx/nginx.conf': 'user  nginx;\nworker_processes  auto;\nevents {\n    worker_connections  1024;\n}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n',
    '/etc/nginx/conf.d/default.conf': 'server {\n    listen       80;\n    server_name  localhost;\n    location / {\n        root   /usr/share/nginx/html;\n        index  index.html;\n    }\n}\n',
    '/usr/share/nginx/html/index.html': page,
    '/etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n',
  },
};
