import { ApiException, type KubeConfig, VersionApi } from '@kubernetes/client-node';
import { Observable } from '@kubernetes/client-node';
import { redact } from './credentials.js';
import { KubeTimeoutError } from './deadline.js';

/** The outcome of one reachability check. */
export interface ReachabilityResult {
  reachable: boolean;
  /** Why the cluster is unreachable, scrubbed of credentials; null when reachable. */
  error: string | null;
}

/** Checks one cluster; `kc` holds exactly that cluster's context. */
export type ReachabilityCheck = (kc: KubeConfig, secrets: readonly string[]) => Promise<ReachabilityResult>;

/**
 * Asks the cluster's API server for its version (GET /version) through @kubernetes/client-node,
 * giving up after `timeoutMs`.
 */
export function versionCheck(timeoutMs: number): ReachabilityCheck {
  return async (kc, secrets) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const withSignal = {
      middleware: [
        {
          pre: (request: { setSignal(signal: AbortSignal): void }) => {
            request.setSignal(signal);
            return new Observable(Promise.resolve(request));
          },
          post: <T>(response: T) => new Observable(Promise.resolve(response)),
        },
      ],
      middlewareMergeStrategy: 'append' as const,
    };
    try {
      // The middleware's request type is client-node's RequestContext; only setSignal is used.
      await kc.makeApiClient(VersionApi).getCode(undefined, withSignal as never);
      return { reachable: true, error: null };
    } catch (error) {
      return { reachable: false, error: redact(describeFailure(error, timeoutMs), secrets) };
    }
  };
}

const REASONS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed and not trusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain is not trusted',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate cannot be verified',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate does not match its host name',
};

/** A short, human sentence for a failed check. Never includes request headers or bodies. */
export function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof ApiException) return `the API server answered HTTP ${error.code}`;
  if (error instanceof Error) {
    if (error instanceof KubeTimeoutError) return error.message; // the cluster's own bound (connect or request) came first
    if (error.name === 'AbortError' || error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
    const code = (error as { code?: unknown }).code ?? (error as { errno?: unknown }).errno;
    if (typeof code === 'string' && REASONS[code]) return REASONS[code];
    if (typeof code === 'string') return `request failed (${code})`;
    return error.message.slice(0, 200);
  }
  return 'request failed';
}
