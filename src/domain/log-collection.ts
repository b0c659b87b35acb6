/**
 * Log collection: which log files (or the container's stdout) a node collector ships, and into
 * which log store. cairn renders it in the log-pilot convention (src/kube/render/log-collection.ts):
 * one container variable `aliyun_logs_<key>=<path>` per path, and every log file's directory on a
 * volume, because a node collector reads files from the host, never from inside a container. These
 * are the pure path rules shared by the configuration rules and the renderer.
 */
import { posix } from 'node:path';
import type { ConfigInput } from './config-input.js';
import type { DirectoryMount } from './config-types.js';
import { effectiveDeployRoot, mountPathProblem } from './mount-rules.js';
import { isInside, normalisePath } from './names.js';
import { problem, type Problem } from './problems.js';

type Path = (string | number)[];

/** The path that stands for the container's standard output (log-pilot's word for it). */
export const STDOUT = 'stdout';

/** The prefix of the variables log-pilot and Logtail read; cairn sets them, the user may not. */
export const LOG_ENV_PREFIX = 'aliyun_logs_';

const GLOB = /[*?[\]]/;

/** The directory of a log file path (normalised); the file name part may be a pattern. */
export const logDirectory = (path: string): string => posix.dirname(normalisePath(path));

/** Whether the configuration collects anything: a store and at least one path. */
export const collects = (c: { paths: string[]; logStore: string | null }): boolean => Boolean(c.logStore) && c.paths.length > 0;

/**
 * Directories where an empty volume would hide what the image needs to run (its programs,
 * libraries, users, the runtime's own files): a log file needs a directory of its own.
 */
const SYSTEM_DIRS = ['/bin', '/boot', '/etc', '/lib', '/lib32', '/lib64', '/sbin', '/usr', '/usr/bin', '/usr/lib', '/usr/local', '/usr/local/bin', '/usr/sbin', '/usr/share', '/var', '/var/lib', '/var/run', '/run', '/root'];

const insideOrAt = (dir: string, outer: string) => normalisePath(dir) === normalisePath(outer) || isInside(dir, outer);

/**
 * The directories cairn mounts an emptyDir volume at, so that the node's collector finds the
 * files: the log files' directories that are not already on a directory mount (a hostPath, which
 * the collector reaches too), without those inside another one (the outer volume holds them).
 * Kept in the order of the paths; `stdout` needs no volume.
 */
export function logVolumeDirectories(paths: string[], directoryMounts: DirectoryMount[]): string[] {
  const dirs: string[] = [];
  for (const p of paths) {
    if (p === STDOUT || !p.startsWith('/')) continue;
    const dir = logDirectory(p);
    if (!dirs.includes(dir) && !directoryMounts.some((d) => insideOrAt(dir, d.containerPath))) dirs.push(dir);
  }
  return dirs.filter((d) => !dirs.some((o) => o !== d && isInside(d, o)));
}

/** Why a log path (already absolute, or `stdout`) cannot be collected; null when it can. */
function pathProblem(path: string): string | null {
  if (path === STDOUT) return null;
  if (path.endsWith('/')) return 'Give a log file or a file-name pattern (e.g. /var/log/app/*.log), not a directory.';
  if (GLOB.test(logDirectory(path))) return 'Only the file name may be a pattern (e.g. /var/log/app/*.log); the directory must be a plain path.';
  return null;
}

/**
 * Cross-field rules of log collection (paths relative to the configuration, `at` a prefix): each
 * path once; the directory of each log file mountable (not /, not a system directory, not the
 * deploy root); no file or directory mount nested with a log volume; and no `aliyun_logs_`
 * variable of the user's while cairn sets them.
 */
export function logCollectionProblems(input: ConfigInput, at: Path): Problem[] {
  const lc = input.logCollection;
  const paths = (lc?.paths ?? []).filter((p): p is string => typeof p === 'string');
  const problems: Problem[] = [];
  const pathAt = (i: number) => [...at, 'logCollection', 'paths', i];
  const seen = new Set<string>();
  paths.forEach((p, i) => {
    if (p !== STDOUT && !p.startsWith('/')) return; // reported by the field rules
    const key = p === STDOUT ? p : normalisePath(p);
    if (seen.has(key)) problems.push(problem(pathAt(i), 'DUPLICATE', `${p} is collected twice.`));
    seen.add(key);
    const why = pathProblem(p);
    if (why) problems.push(problem(pathAt(i), 'INVALID_FORMAT', why));
  });

  const dirMounts = (input.directoryMounts ?? []).filter((d) => d.containerPath.startsWith('/'));
  const volumes = logVolumeDirectories(
    paths.filter((p) => pathProblem(p) === null),
    dirMounts.map((d) => ({ containerPath: d.containerPath, hostPath: d.hostPath })),
  );
  const root = effectiveDeployRoot(input);
  for (const dir of volumes) {
    const i = paths.findIndex((p) => p !== STDOUT && p.startsWith('/') && insideOrAt(logDirectory(p), dir));
    const why =
      dir === '/'
        ? 'A log file needs a directory of its own (e.g. /var/log/app/app.log): cairn puts that directory on a volume the node collector reads, and nothing can be mounted at /.'
        : SYSTEM_DIRS.includes(dir)
          ? `cairn puts the log directory on a volume of its own, and an empty volume at ${dir} would hide the image's files there; write the logs into a directory of their own (e.g. ${dir === '/var' ? '/var/log/app' : `${dir}/app-logs`}).`
          : mountPathProblem(dir, root);
    if (why) problems.push(problem(pathAt(i), 'NOT_ALLOWED', why));
    (input.fileMounts ?? []).forEach((f, j) => {
      if (!f.path.startsWith('/')) return;
      if (insideOrAt(dir, f.path)) problems.push(problem(pathAt(i), 'NESTED_MOUNT', `The log directory ${dir} is at or inside the file mount ${f.path}.`));
      else if (isInside(f.path, dir))
        problems.push(problem([...at, 'fileMounts', j, 'path'], 'NESTED_MOUNT', `${f.path} is inside the log directory ${dir}, which cairn mounts as a volume; mounts must not nest.`));
    });
    dirMounts.forEach((d, j) => {
      if (isInside(d.containerPath, dir))
        problems.push(problem([...at, 'directoryMounts', j, 'containerPath'], 'NESTED_MOUNT', `${d.containerPath} is inside the log directory ${dir}, which cairn mounts as a volume; mounts must not nest.`));
    });
  }

  if (lc?.logStore && paths.length > 0) {
    (input.env ?? []).forEach((e, i) => {
      if (typeof e.name === 'string' && e.name.startsWith(LOG_ENV_PREFIX))
        problems.push(problem([...at, 'env', i, 'name'], 'NOT_ALLOWED', `Variables starting with ${LOG_ENV_PREFIX} are set by log collection; remove ${e.name} or the log collection.`));
    });
  }
  return problems;
}
