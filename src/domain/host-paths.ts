import type { DirectoryMount } from './config-types.js';
import { isInside, normalisePath } from './names.js';
import { problem, type Problem } from './problems.js';

type Path = (string | number)[];

/**
 * The host directories an app may mount without an admin: under one of the configured prefixes
 * (CAIRN_HOSTPATH_PREFIXES), in the app's own directory `<prefix>/<app name>` — so that one app's
 * owner can neither reach the node (`/`, `/var/run/docker.sock`) nor another app's logs and data.
 * Prefixes match whole path segments after normalisation (`/var/log/cairn/shop` does not admit
 * `/var/log/cairn/shopping`).
 */
export function allowedHostRoots(prefixes: string[], appName: string): string[] {
  return prefixes.map((p) => normalisePath(`${p}/${appName}`));
}

export function isAllowedHostPath(hostPath: string, roots: string[]): boolean {
  const p = normalisePath(hostPath);
  return roots.some((r) => p === r || isInside(p, r));
}

/** A problem for every directory mount whose host path lies outside the app's allowed roots. */
export function hostPathProblems(mounts: DirectoryMount[], prefixes: string[], appName: string, at: Path): Problem[] {
  const roots = allowedHostRoots(prefixes, appName);
  const problems: Problem[] = [];
  mounts.forEach((d, i) => {
    if (!d.hostPath.startsWith('/') || isAllowedHostPath(d.hostPath, roots)) return;
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
