import type { ImageSpec } from './types.js';

export const nodejs: ImageSpec = {
  name: 'nodejs',
  description: 'A Node.js HTTP service from /acs/code on port 3000 with /health',
  tags: ['latest', '18', '20', '22', 'lts'],
  sizeBytes: 120_000_000,
  pullMs: 4_000,
  startupMs: 1_500,
  ports: [3000],
  http: {
    3000: {
      '/': { status: 200, body: '{"service":"nodejs","ok":true}', contentType: 'application/json; charset=utf-8' },
      '/health': { status: 200, body: '{"status":"ok"}', contentType: 'application/json; charset=utf-8' },
    },
  },
  notFound: { status: 404, body: 'Cannot GET {path}\n', contentType: 'text/html; charset=utf-8' },
  healthPaths: ['/health'],
  unhealthyAnswer: { status: 503, body: '{"status":"unavailable"}', contentType: 'application/json; charset=utf-8' },
  memoryMi: 90,
  startupLogs: [
    { text: '> app@1.0.0 start' },
    { text: '> node /acs/code/server.js' },
  ],
  readyLogs: [{ text: 'Server listening on http://0.0.0.0:3000' }],
  shutdownLogs: [{ text: 'SIGTERM received, closing server' }],
  sigtermExitCode: 0,
  env: { PATH: '/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin', NODE_VERSION: '20.18.1', YARN_VERSION: '1.22.22' },
  workingDir: '/acs/code',
  command: ['npm', 'start'],
  logFile: '/acs/code/logs/app.log',
  files: {
    '/acs/code/package.json': '{\n  "name": "app",\n  "version": "1.0.0",\n  "scripts": { "start": "node /acs/code/server.js" }\n}\n',
    '/acs/code/server.js': "const http = require('http');\nhttp.createServer((req, res) => res.end('ok')).listen(3000);\n",
  },
};
