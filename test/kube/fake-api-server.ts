import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in Kubernetes API server for reachability tests: answers GET /version when the bearer
 * token matches, 401 otherwise; `hang` makes it accept requests and never answer; `failNext`
 * answers that many requests with HTTP 500.
 */
export interface FakeApiServer {
  url: string;
  /** Every Authorization header it received. */
  authorizations: string[];
  /** Every request it received, as `METHOD path`, in order. */
  requests: string[];
  /** Resolves when a request matching `test` has arrived (or already had). */
  received(test: (request: string) => boolean): Promise<string>;
  hang: boolean;
  /** Answer this many of the next requests with 500 InternalError. */
  failNext: number;
  stop(): Promise<void>;
}

export async function startFakeApiServer(token: string): Promise<FakeApiServer> {
  const waiting: Array<(request: string) => void> = [];
  const fake: FakeApiServer = {
    url: '',
    authorizations: [],
    requests: [],
    received: (test) =>
      new Promise((resolve) => {
        const seen = fake.requests.find(test);
        if (seen) return resolve(seen);
        const check = (request: string) => {
          if (!test(request)) return;
          waiting.splice(waiting.indexOf(check), 1);
          resolve(request);
        };
        waiting.push(check);
      }),
    hang: false,
    failNext: 0,
    stop: async () => {},
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    fake.authorizations.push(req.headers.authorization ?? '');
    const request = `${req.method} ${req.url}`;
    fake.requests.push(request);
    for (const check of [...waiting]) check(request);
    if (fake.hang) return;
    if (fake.failNext > 0) {
      fake.failNext -= 1;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'InternalError', code: 500 }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Unauthorized', code: 401 }));
      return;
    }
    if (req.url === '/version') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ major: '1', minor: '31', gitVersion: 'v1.31.0', platform: 'linux/amd64' }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** A kubeconfig (JSON is YAML) with one context per entry; every user authenticates with a token. */
export function kubeconfigText(clusters: Array<{ name: string; server: string; token: string; password?: string }>): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS verification is (pointlessly) switched off.
    clusters: clusters.map((c) => ({ name: c.name, cluster: { server: c.server, 'insecure-skip-tls-verify': c.server.startsWith('http:') } })),
    users: clusters.map((c) => ({
      name: `${c.name}-user`,
      user: c.password ? { username: 'admin', password: c.password, token: c.token } : { token: c.token },
    })),
    contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: `${c.name}-user` } })),
    'current-context': clusters[0]?.name ?? '',
  });
}

/** A port on loopback that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
