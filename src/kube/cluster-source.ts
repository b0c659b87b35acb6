/**
 * Where cairn's clusters come from, decided once at start from what the process can see — a pure
 * function, so that every case is one row of a table test:
 *
 *   - in a pod (KUBERNETES_SERVICE_HOST is set) with its service account mounted: the cluster it runs
 *     in, under a configurable name, plus the contexts of any kubeconfig given;
 *   - a kubeconfig given (a file, several, or a directory such as a mounted Secret) or ~/.kube/config;
 *   - sandbox (simulated) clusters only when asked (CAIRN_SANDBOX=true), or when nothing names a
 *     cluster AND cairn is not in a pod. A pod with no cluster is an error, never a silent sandbox.
 */

/** What the process sees. */
export interface ClusterFacts {
  /** KUBERNETES_SERVICE_HOST: set by the kubelet in every container of a pod. */
  serviceHost?: string | undefined;
  /** KUBERNETES_SERVICE_PORT. */
  servicePort?: string | undefined;
  /** Whether the service account's token file exists in its directory. */
  serviceAccountToken: boolean;
  /** The service account's directory (for messages). */
  serviceAccountDir: string;
  /** The kubeconfig files found (configured, or ~/.kube/config). */
  kubeconfigFiles: string[];
  /** CAIRN_SANDBOX: true asks for sandbox clusters, false forbids them, undefined lets this decide. */
  sandbox?: boolean | undefined;
}

/** The clusters to load, and why (for the log). */
export type ClusterChoice =
  /** Real clusters: the one cairn runs in (when `inCluster`) and the kubeconfig files' contexts. */
  | { kind: 'clusters'; inCluster: boolean; files: string[]; reason: string }
  /** Sandbox clusters started in-process: logged at warn level, since they deploy nothing real. */
  | { kind: 'sandbox'; reason: string; ignored: string[] }
  /** No cluster, and sandbox clusters would be wrong here: cairn does not start. */
  | { kind: 'none'; reason: string };

export function chooseClusters(facts: ClusterFacts): ClusterChoice {
  const inPod = Boolean(facts.serviceHost);
  const inCluster = inPod && Boolean(facts.servicePort) && facts.serviceAccountToken;
  const files = facts.kubeconfigFiles;

  if (facts.sandbox === true) {
    const ignored = [...(inCluster ? ['the in-cluster service account'] : []), ...files.map((f) => `kubeconfig ${f}`)];
    return { kind: 'sandbox', reason: 'CAIRN_SANDBOX=true asks for sandbox clusters', ignored };
  }
  if (inCluster || files.length > 0) {
    const parts = [...(inCluster ? [`the service account in ${facts.serviceAccountDir}`] : []), ...(files.length > 0 ? [`kubeconfig ${files.join(', ')}`] : [])];
    return { kind: 'clusters', inCluster, files, reason: `clusters from ${parts.join(' and ')}` };
  }
  if (inPod) {
    const missing = facts.servicePort ? `no service account token in ${facts.serviceAccountDir}` : 'KUBERNETES_SERVICE_PORT is not set';
    return {
      kind: 'none',
      reason: `cairn runs in a pod (KUBERNETES_SERVICE_HOST is set) but has no cluster: ${missing} and no kubeconfig; mount the service account or a kubeconfig (CAIRN_KUBECONFIG), or set CAIRN_SANDBOX=true for simulated clusters`,
    };
  }
  if (facts.sandbox === false) {
    return { kind: 'none', reason: 'no cluster: no kubeconfig (CAIRN_KUBECONFIG, KUBECONFIG, ~/.kube/config), not in a pod, and CAIRN_SANDBOX=false' };
  }
  return { kind: 'sandbox', reason: 'no kubeconfig found and not in a pod', ignored: [] };
}

/**
 * The clusters an allow-list keeps (CAIRN_CLUSTERS): all when there is none. Also names the
 * allowed clusters that exist nowhere, for a warning.
 */
export function allowedClusters(names: readonly string[], allow: readonly string[] | undefined): { kept: string[]; dropped: string[]; unknown: string[] } {
  if (!allow) return { kept: [...names], dropped: [], unknown: [] };
  const allowed = new Set(allow);
  return {
    kept: names.filter((n) => allowed.has(n)),
    dropped: names.filter((n) => !allowed.has(n)),
    unknown: allow.filter((n) => !names.includes(n)),
  };
}

/** At most this many names in the message below (a kubeconfig may hold many contexts). */
const NAMES_SHOWN = 20;
const nameList = (names: readonly string[]) =>
  names.length === 0 ? 'none' : names.length <= NAMES_SHOWN ? names.join(', ') : `${names.slice(0, NAMES_SHOWN).join(', ')} and ${names.length - NAMES_SHOWN} more`;

/**
 * Why cairn does not start when the allow-list (CAIRN_CLUSTERS) keeps none of the clusters found: it would
 * run with no cluster at all (every release refused), which is never what was meant.
 */
export function noClusterAllowed(allow: readonly string[], found: readonly string[]): string {
  return `the allow-list CAIRN_CLUSTERS (${nameList(allow)}) keeps none of the clusters found (${nameList(found)}): name at least one of them, or unset CAIRN_CLUSTERS`;
}
