/**
 * The simulated pod network of a cluster: which pod answers at which IP. The node agent serves every
 * node of its cluster, so one ClusterNetwork per agent lets any container reach any other pod by its IP
 * (curl in a container, an httpGet hook or probe with `host` set), as a flat pod network does. Pods
 * on the host network are not in it (their IP is the node's).
 */
import type { HttpResult } from './shell.js';

export type PodEndpoint = (port: number, method: string, path: string) => HttpResult;

export class ClusterNetwork {
  private readonly byIP = new Map<string, PodEndpoint>();

  /** The pod at `ip` answers with `endpoint` until the returned function detaches it. */
  attach(ip: string, endpoint: PodEndpoint): () => void {
    this.byIP.set(ip, endpoint);
    return () => {
      if (this.byIP.get(ip) === endpoint) this.byIP.delete(ip);
    };
  }

  /** A request to `ip:port`; undefined when no pod has that IP (no route to host). */
  request(ip: string, port: number, method: string, path: string): HttpResult | undefined {
    const endpoint = this.byIP.get(ip);
    return endpoint ? endpoint(port, method, path) : undefined;
  }
}
