import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * One kubeconfig document and where it came from. Every cluster cairn knows — from a file or from
 * the in-process sandbox — enters through this shape and `parseKubeconfig`: one code path.
 */
export interface KubeconfigSource {
  /** The kubeconfig's YAML or JSON text. Holds credentials: never log it. */
  text: string;
  /** Where it came from (a file path or "sandbox"), for log lines. */
  origin: string;
  /** True when the clusters it names are sandbox clusters that cairn runs in-process. */
  sandbox: boolean;
  /**
   * True only for the in-cluster document cairn builds itself (in-cluster.ts): its user reads the
   * service-account token file. Any other kubeconfig naming that auth provider gets no token from a
   * file — a kubeconfig from elsewhere must not make cairn send a local file to a server it names.
   */
  tokenFile?: boolean;
}

/**
 * The kubeconfig files to use: the configured path(s) (CAIRN_KUBECONFIG or KUBECONFIG, several
 * separated by the platform's path delimiter), else ~/.kube/config when it exists, else none.
 * A configured directory stands for the files in it (a Secret mounted as a volume: one file per
 * key; the mount's own `..data` entries are skipped). A configured path that does not exist, or a
 * directory with no file, is an error: the user asked for it.
 */
export function findKubeconfigFiles(configured: string | undefined, home: string = homedir()): string[] {
  if (configured) {
    const paths = configured.split(delimiter).filter(Boolean);
    const missing = paths.filter((p) => !existsSync(p));
    if (missing.length > 0) throw new Error(`kubeconfig not found: ${missing.join(', ')}`);
    return paths.flatMap((p) => (statSync(p).isDirectory() ? filesIn(p) : [p]));
  }
  const fallback = join(home, '.kube', 'config');
  return existsSync(fallback) ? [fallback] : [];
}

/** The regular files of a directory (following symlinks), hidden ones left out, by name. */
function filesIn(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name) => join(dir, name))
    .filter((path) => statSync(path, { throwIfNoEntry: false })?.isFile());
  if (files.length === 0) throw new Error(`kubeconfig directory ${dir} holds no file`);
  return files;
}

/** Reads kubeconfig files into sources; an unreadable one is an error that names it (and never quotes its text). */
export function readKubeconfigFiles(paths: string[]): KubeconfigSource[] {
  return paths.map((path) => {
    try {
      return { text: readFileSync(path, 'utf8'), origin: path, sandbox: false };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      throw Object.assign(new Error(`cannot read the kubeconfig ${path} (${code})`), { code, path, syscall: 'read' });
    }
  });
}

/** Parses one kubeconfig document with @kubernetes/client-node. Errors never quote the text. */
export function parseKubeconfig(source: KubeconfigSource): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(source.text);
  } catch (error) {
    const kind = error instanceof Error ? error.name : 'Error';
    throw new Error(`cannot parse the kubeconfig from ${source.origin} (${kind})`);
  }
  return kc;
}

/**
 * A KubeConfig holding exactly one context of `kc` (with its cluster and user), current. Clients made
 * from it can only ever reach that cluster.
 */
export function singleContextConfig(kc: KubeConfig, contextName: string): KubeConfig {
  const context = kc.getContextObject(contextName);
  if (!context) throw new Error(`no context named ${contextName}`);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster) throw new Error(`context ${contextName} names a cluster that does not exist: ${context.cluster}`);
  const user = context.user ? kc.getUser(context.user) : null;
  const single = new KubeConfig();
  single.loadFromOptions({
    clusters: [cluster],
    users: user ? [user] : [],
    contexts: [context],
    currentContext: contextName,
  });
  return single;
}

/** The API server URL as shown to users: no user-info, no query string, no fragment. */
export function displayServerUrl(server: string): string {
  try {
    const url = new URL(server);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return '(invalid URL)';
  }
}
