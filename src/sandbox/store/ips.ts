/**
 * Service address allocation: cluster IPs from 10.96.0.0/12 and node ports from 30000-32767,
 * picked at random like the API server's allocators.
 */

export const SERVICE_CIDR = '10.96.0.0/12';
const BASE = (10 << 24) | (96 << 16);
const SIZE = 1 << 20;
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

const toIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
export function ipToNumber(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export class Allocator {
  private readonly ips = new Set<string>();
  private readonly ports = new Set<number>();

  /** Reserves `ip`; returns an error detail when it cannot (as in `failed to allocate IP x: <detail>`). */
  reserveIp(ip: string): string | undefined {
    const n = ipToNumber(ip);
    if (n === undefined) return 'not a valid IP address';
    const offset = n - (BASE >>> 0);
    if (offset <= 0 || offset >= SIZE - 1)
      return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`;
    if (this.ips.has(ip)) return 'provided IP is already allocated';
    this.ips.add(ip);
    return undefined;
  }

  allocateIp(): string {
    for (;;) {
      // Skip .0 (network), .1 (the kubernetes service) and .10 (cluster DNS) of the range.
      const offset = 11 + Math.floor(Math.random() * (SIZE - 12));
      const ip = toIp((BASE >>> 0) + offset);
      if (!this.ips.has(ip)) {
        this.ips.add(ip);
        return ip;
      }
    }
  }

  releaseIp(ip: unknown): void {
    if (typeof ip === 'string') this.ips.delete(ip);
  }

  reservePort(port: number): string | undefined {
    if (port < NODE_PORT_MIN || port > NODE_PORT_MAX) return `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`;
    if (this.ports.has(port)) return 'provided port is already allocated';
    this.ports.add(port);
    return undefined;
  }

  allocatePort(): number {
    for (;;) {
      const port = NODE_PORT_MIN + Math.floor(Math.random() * (NODE_PORT_MAX - NODE_PORT_MIN + 1));
      if (!this.ports.has(port)) {
        this.ports.add(port);
        return port;
      }
    }
  }

  releasePort(port: unknown): void {
    if (typeof port === 'number') this.ports.delete(port);
  }
}
