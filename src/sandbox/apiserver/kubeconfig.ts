/**
 * Kubeconfig documents for sandbox clusters: one cluster, user and context per sandbox, all named
 * after it. Written as JSON, which is valid YAML: kubectl and client-node read it unchanged.
 */

export interface KubeconfigEntry {
  name: string;
  url: string;
  /** Bearer token; empty or undefined for a server without auth. */
  token?: string;
  /** PEM of the CA to trust for an https:// server. */
  certificateAuthority?: string;
  namespace?: string;
}

export function kubeconfigDocument(entries: KubeconfigEntry[], currentContext = entries[0]?.name ?? '') {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    // client-node refuses plain http:// unless TLS verification is explicitly skipped.
    clusters: entries.map((e) => ({
      name: e.name,
      cluster: e.certificateAuthority
        ? { server: e.url, 'certificate-authority-data': Buffer.from(e.certificateAuthority).toString('base64') }
        : { server: e.url, 'insecure-skip-tls-verify': true },
    })),
    users: entries.map((e) => ({ name: e.name, user: e.token ? { token: e.token } : {} })),
    contexts: entries.map((e) => ({ name: e.name, context: { cluster: e.name, user: e.name, namespace: e.namespace ?? 'default' } })),
    'current-context': currentContext,
  };
}

export function kubeconfigText(entries: KubeconfigEntry[], currentContext?: string): string {
  return `${JSON.stringify(kubeconfigDocument(entries, currentContext), null, 2)}\n`;
}
