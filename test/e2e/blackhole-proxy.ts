/**
 * A TCP proxy on loopback in front of an API server (sandbox or real): it forwards every
 * connection, until `blackhole()` — from then on new connections are accepted and never answered
 * (no byte either way, not even the TLS handshake), as behind a broken network path, until
 * `restore()`. Held connections stay silent until the client gives up.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface BlackholeProxy {
  /** The proxy's `https://127.0.0.1:<port>` (the API server's certificate names 127.0.0.1). */
  url: string;
  blackhole(): void;
  restore(): void;
  /** Resolves once at least `count` connections have been held since the last blackhole(). */
  held(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startBlackholeProxy(target: URL): Promise<BlackholeProxy> {
  const sockets = new Set<Socket>();
  let holding = false;
  let heldCount = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (holding) {
      heldCount += 1;
      for (const w of waiters.filter((w) => heldCount >= w.count)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      return; // accepted, never answered
    }
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `${target.protocol}//127.0.0.1:${port}`,
    blackhole() {
      holding = true;
      heldCount = 0;
    },
    restore() {
      holding = false;
    },
    held: (count) => (heldCount >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The kubeconfig text with its cluster's server replaced by `server`. */
export function kubeconfigVia(kubeconfig: string, server: string): string {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const redirected = new KubeConfig();
  redirected.loadFromOptions({ clusters: kc.clusters.map((c) => ({ ...c, server })), users: kc.users, contexts: kc.contexts, currentContext: kc.currentContext });
  return redirected.exportConfig();
}

/** The server URL of a kubeconfig's current cluster. */
export function serverOf(kubeconfig: string): URL {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return new URL(kc.getCurrentCluster()!.server);
}
