import type { KubeConfig } from '@kubernetes/client-node';
import { TOKEN_FILE_PROVIDER } from './in-cluster.js';

const REDACTED = '[REDACTED]';

/**
 * Every secret string a kubeconfig holds for its users and clusters: tokens, passwords, client keys
 * and certificates, auth-provider and exec settings, and user-info in server URLs. Used to scrub
 * any text cairn derives from a cluster before it is stored, returned or logged.
 */
export function credentialStrings(kc: KubeConfig): string[] {
  const found = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && value.length >= 4) found.add(value);
    else if (value && typeof value === 'object') for (const v of Object.values(value)) add(v);
  };
  for (const user of kc.getUsers()) {
    add(user.token);
    add(user.password);
    add(user.keyData);
    add(user.certData);
    // Tokens, secrets, refresh tokens; cairn's token-file provider holds a path, which errors may name (the token is redacted as a bearer token).
    if (user.authProvider?.name !== TOKEN_FILE_PROVIDER) add(user.authProvider?.config);
    add(user.exec?.env); // credentials handed to the exec plugin
    add(user.exec?.args);
  }
  for (const cluster of kc.getClusters()) {
    try {
      const url = new URL(cluster.server);
      add(decodeURIComponent(url.password));
      add(url.password);
    } catch {
      // an invalid URL holds nothing to scrub
    }
  }
  return [...found].sort((a, b) => b.length - a.length);
}

/** Replaces every secret in `text`, and anything shaped like a bearer token, with [REDACTED]. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out
    .replace(/(bearer\s+)[^\s"',;]+/gi, `$1${REDACTED}`)
    .replace(/(\/\/)[^/@\s]+:[^/@\s]+@/g, `$1${REDACTED}@`);
}
