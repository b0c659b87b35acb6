import type { DirectoryMount } from './config-types.js';
import { normalisePath } from './names.js';
import { problem, type Problem } from './problems.js';

type Path = (string | number)[];

/**
 * The host directories an app may mount without an admin: for each configured prefix
 * (CAIRN_HOSTPATH_PREFIXES), exactly the app's own directory `<prefix>/<app name>` — so that one
 * app's owner can neither reach the node (`/`, `/var/run/docker.sock`) nor another app's logs and
 * data. Not a directory below it: the kubelet follows symbolic links in a hostPath, and the app can
 * write one into its own directory (`ln -s / /data/root`, then mount `<prefix>/<app>/root`); the
 * directory itself is the container's mount point, which the container cannot replace.
 * Compared after normalisation (`//var/log/cairn/./shop/` is `/var/log/cairn/shop`).
 */
export function allowedHostRoots(prefixes: string[], appName: string): string[] {
  return prefixes.map((p) => normalisePath(`${p}/${appName}`));
}

export function isAllowedHostPath(hostPath: string, roots: string[]): boolean {
  const p = normalisePath(hostPath);
  return roots.includes(p);
}

const sameMount = (a: DirectoryMount, b: DirectoryMount) => normalisePath(a.containerPath) === normalisePath(b.containerPath) && normalisePath(a.hostPath) === normalisePath(b.hostPath);

/**
 * A problem for every directory mount whose host path is not one of the app's allowed roots, unless
 * the mount is one the configuration already holds (`kept`: set by an admin, say), so that an OWNER
 * can still edit the rest of a configuration an admin gave a host mount.
 */
export function hostPathProblems(mounts: DirectoryMount[], prefixes: string[], appName: string, at: Path, kept: DirectoryMount[] = []): Problem[] {
  const roots = allowedHostRoots(prefixes, appName);
  const problems: Problem[] = [];
  mounts.forEach((d, i) => {
    if (!d.hostPath.startsWith('/') || isAllowedHostPath(d.hostPath, roots) || kept.some((k) => sameMount(k, d))) return;
    problems.push(
      problem(
        [...at, 'directoryMounts', i, 'hostPath'],
        'NOT_ALLOWED',
        `${d.hostPath} is outside the host directories this app may mount (${roots.join(', ')}); only an admin may mount other host paths.`,
      ),
    );
  });
  return problems;
}
