/**
 * The cluster cairn runs in, reached with its pod's service account: a kubeconfig document built
 * from KUBERNETES_SERVICE_HOST/_PORT and the mounted directory (token, ca.crt), loaded like any
 * other (one code path). Its user names the token FILE, not the token: every request reads the
 * current token (see tokenFileAuthenticator), so a rotated token — the kubelet replaces projected
 * tokens hourly — is used at once, without a restart. client-node's own loader (loadFromCluster)
 * re-reads the file only once a minute.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeconfigSource } from './kubeconfig.js';

/** The auth-provider name of users whose bearer token is the current content of a file (`config.path`). */
export const TOKEN_FILE_PROVIDER = 'cairn-token-file';

export interface InClusterOptions {
  /** The cluster's name in cairn (its kubeconfig context), e.g. `in-cluster`. */
  name: string;
  /** KUBERNETES_SERVICE_HOST. */
  host: string;
  /** KUBERNETES_SERVICE_PORT. */
  port: string;
  /** The service account's directory: `token`, `ca.crt` (optional: the system's CAs otherwise). */
  dir: string;
}

export const serviceAccountTokenPath = (dir: string) => join(dir, 'token');

/** The in-cluster kubeconfig document (JSON, which is YAML): it holds paths, no credential. */
export function inClusterKubeconfig({ name, host, port, dir }: InClusterOptions): KubeconfigSource {
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const ca = join(dir, 'ca.crt');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, ...(existsSync(ca) ? { 'certificate-authority': ca } : {}) } }],
    users: [{ name, user: { 'auth-provider': { name: TOKEN_FILE_PROVIDER, config: { path: serviceAccountTokenPath(dir) } } } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  return { text: JSON.stringify(doc), origin: `service account ${dir}`, sandbox: false, tokenFile: true };
}

type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];
type User = Parameters<Authenticator['isAuthProvider']>[0];

interface Held {
  token: string;
  /** The file's identity and times when it was read: a change means a new token. */
  stamp: string;
}

/**
 * Sets `Authorization: Bearer <token>` from the user's token file, read again whenever the file
 * changed (one stat per request; the kubelet swaps a symlink, which gives a new inode). When the
 * file cannot be read for a moment, the last token read is used.
 */
export function tokenFileAuthenticator(): Authenticator {
  const held = new Map<string, Held>();
  const current = (path: string): string => {
    let stamp: string;
    try {
      const s = statSync(path);
      stamp = `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
    } catch (error) {
      const last = held.get(path);
      if (last) return last.token;
      throw new Error(`cannot read the service account token file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const last = held.get(path);
    if (last && last.stamp === stamp) return last.token;
    const token = readFileSync(path, 'utf8').trim();
    held.set(path, { token, stamp });
    return token;
  };
  return {
    isAuthProvider: (user: User) => user.authProvider?.name === TOKEN_FILE_PROVIDER && typeof user.authProvider?.config?.path === 'string',
    async applyAuthentication(user: User, opts) {
      const token = current(user.authProvider!.config!.path as string);
      const headers = ((opts as { headers?: Record<string, unknown> }).headers ??= {});
      headers.Authorization = `Bearer ${token}`;
    },
  };
}
