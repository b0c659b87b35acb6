/**
 * Log collection: which log files (or the container's stdout) a node collector ships, and into
 * which log store. cairn renders it in the log-pilot convention (src/kube/render/log-collection.ts):
 * one container variable `aliyun_logs_<key>=<path>` per path, and every log file's directory on a
 * volume, because a node collector reads files from the host, never from inside a container. These
 * are the pure path rules shared by the configuration rules and the renderer: a write is refused
 * for them only when something is collected; stored settings never are (what breaks them is left
 * out of the pod, with a warning).
 */
import { posix } from 'node:path';
import type { ConfigInput } from './config-input.js';
import type { ConfigSettings, DirectoryMount } from './config-types.js';
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

/**
 * Directory trees of the system and its packages (programs, libraries, configuration, users, the
 * runtime's own files): an empty volume at or inside them would hide what the image ships there.
 */
const SYSTEM_TREES = ['/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/libx32', '/proc', '/root', '/run', '/sbin', '/sys', '/usr', '/var/lib', '/var/lock', '/var/run'];

/**
 * Directories shared by the image's packages (nginx keeps /var/log/nginx, a package lives in
 * /opt/<name>): a log volume may be a directory of the app's own below them, not one of them.
 */
const SHARED_DIRS = ['/home', '/media', '/mnt', '/opt', '/srv', '/var/cache', '/var/log', '/var/mail', '/var/opt', '/var/spool', '/var/tmp', '/var/www'];

/** The size limit of each log volume: past it the kubelet evicts the pod, rather than the node's disk filling. */
export const LOG_VOLUME_SIZE_LIMIT = '1Gi';

const insideOrAt = (dir: string, outer: string) => normalisePath(dir) === normalisePath(outer) || isInside(dir, outer);

/**
 * Why cairn cannot put an empty volume at a log directory without hiding the image's files: `/`,
 * a system tree or anything inside it, a shared directory itself, or a parent of one of them
 * (`/var`). Null when it can (`/var/log/shop`, `/opt/shop/logs`, `/logs`).
 */
export function logDirectoryProblem(dir: string): string | null {
  if (dir === '/') return 'A log file needs a directory of its own (e.g. /var/log/app/app.log): cairn puts that directory on a volume the node collector reads, and nothing can be mounted at /.';
  const tree = SYSTEM_TREES.find((t) => insideOrAt(dir, t));
  if (tree) return `cairn puts the log directory on an empty volume of its own, which would hide what the image ships in ${dir} (${tree} belongs to the system and its packages); write the logs into a directory of the app's own (e.g. /var/log/app).`;
  const hidden = [...SHARED_DIRS, ...SYSTEM_TREES].find((d) => d === dir || isInside(d, dir));
  if (!hidden) return null;
  const example = SHARED_DIRS.includes(dir) ? `${dir}/app` : '/var/log/app';
  return `cairn puts the log directory on an empty volume of its own, which would hide ${hidden === dir ? `what the image's packages keep in ${dir}` : `${hidden}`}; write the logs into a directory of the app's own below it (e.g. ${example}).`;
}

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

/** Why one log path cannot be collected: the path (index) it concerns, and where the problem is reported. */
interface LogPathIssue {
  index: number;
  at: Path;
  code: 'DUPLICATE' | 'INVALID_FORMAT' | 'NOT_ALLOWED' | 'NESTED_MOUNT';
  message: string;
}

type Mounts = Pick<ConfigInput, 'fileMounts' | 'directoryMounts'>;

/**
 * The rules of collectable paths (`paths[i]` at `['logCollection', 'paths', i]`): each path once;
 * only the file name a pattern; the directory of each log file a volume that hides nothing the
 * image ships (logDirectoryProblem) and is not the deploy root; no file or directory mount nested
 * with a log volume. Relative paths are the field rules' business (skipped here).
 */
function logPathIssues(paths: (string | null)[], mounts: Mounts, root: string | null): LogPathIssue[] {
  const issues: LogPathIssue[] = [];
  const pathAt = (i: number): Path => ['logCollection', 'paths', i];
  const seen = new Set<string>();
  const usable: (string | null)[] = paths.map((p, i) => {
    if (p === null || (p !== STDOUT && !p.startsWith('/'))) return null;
    const key = p === STDOUT ? p : normalisePath(p);
    const dup = seen.has(key);
    seen.add(key);
    if (dup) issues.push({ index: i, at: pathAt(i), code: 'DUPLICATE', message: `${p} is collected twice.` });
    const why = pathProblem(p);
    if (why) issues.push({ index: i, at: pathAt(i), code: 'INVALID_FORMAT', message: why });
    // Each file's own directory, before an outer one is chosen: one refused path leaves the others be.
    const dirWhy = why || p === STDOUT ? null : (logDirectoryProblem(logDirectory(p)) ?? mountPathProblem(logDirectory(p), root));
    if (dirWhy) issues.push({ index: i, at: pathAt(i), code: 'NOT_ALLOWED', message: dirWhy });
    return dup || why || dirWhy ? null : p;
  });

  const dirMounts = (mounts.directoryMounts ?? []).filter((d) => d.containerPath.startsWith('/'));
  const volumes = logVolumeDirectories(
    usable.filter((p): p is string => p !== null),
    dirMounts.map((d) => ({ containerPath: d.containerPath, hostPath: d.hostPath })),
  );
  for (const dir of volumes) {
    // Every path the volume holds; problems are reported at the first of them.
    const held = usable.flatMap((p, i) => (p !== null && p !== STDOUT && insideOrAt(logDirectory(p), dir) ? [i] : []));
    const first = held[0]!;
    const found: Omit<LogPathIssue, 'index'>[] = [];
    (mounts.fileMounts ?? []).forEach((f, j) => {
      if (!f.path.startsWith('/')) return;
      if (insideOrAt(dir, f.path)) found.push({ at: pathAt(first), code: 'NESTED_MOUNT', message: `The log directory ${dir} is at or inside the file mount ${f.path}.` });
      else if (isInside(f.path, dir))
        found.push({ at: ['fileMounts', j, 'path'], code: 'NESTED_MOUNT', message: `${f.path} is inside the log directory ${dir}, which cairn mounts as a volume; mounts must not nest.` });
    });
    dirMounts.forEach((d, j) => {
      if (isInside(d.containerPath, dir))
        found.push({ at: ['directoryMounts', j, 'containerPath'], code: 'NESTED_MOUNT', message: `${d.containerPath} is inside the log directory ${dir}, which cairn mounts as a volume; mounts must not nest.` });
    });
    for (const f of found) for (const index of held) issues.push({ ...f, index });
  }
  return issues;
}

/**
 * Cross-field rules of log collection on a write (`at` a prefix). They apply only when something
 * is collected (a store and at least one path): the path rules (logPathIssues), and no
 * `aliyun_logs_` variable of the user's while cairn sets them. Stored settings are never refused
 * for them: the renderer leaves out what breaks them (collectedLogPaths) and says so in a warning.
 */
export function logCollectionProblems(input: ConfigInput, at: Path): Problem[] {
  const lc = input.logCollection;
  const paths = (lc?.paths ?? []).map((p) => (typeof p === 'string' ? p : null));
  if (!lc?.logStore || paths.length === 0) return [];
  const problems: Problem[] = [];
  const reported = new Set<string>();
  for (const issue of logPathIssues(paths, input, effectiveDeployRoot(input))) {
    const key = `${issue.at.join('.')}|${issue.code}|${issue.message}`;
    if (!reported.has(key)) problems.push(problem([...at, ...issue.at], issue.code, issue.message));
    reported.add(key);
  }
  (input.env ?? []).forEach((e, i) => {
    if (typeof e.name === 'string' && e.name.startsWith(LOG_ENV_PREFIX))
      problems.push(problem([...at, 'env', i, 'name'], 'NOT_ALLOWED', `Variables starting with ${LOG_ENV_PREFIX} are set by log collection; remove ${e.name} or the log collection.`));
  });
  return problems;
}

/** A stored log path that is not collected, and why. */
export interface UncollectedLogPath {
  index: number;
  path: string;
  reason: string;
}

/**
 * Which of the stored settings' paths are collected (rendered), and which are left out. A draft,
 * template or revision stored before a rule existed may break it; it is never refused for that
 * (re-releasing an earlier revision must work mid-incident): a path that breaks a rule is left
 * out (no variable, no volume), and when the user sets `aliyun_logs_` variables of their own, they
 * configure the collector and cairn sets none. Nothing is collected without a store.
 */
export function collectedLogPaths(settings: ConfigSettings): { collected: { index: number; path: string }[]; uncollected: UncollectedLogPath[] } {
  const { paths, logStore } = settings.logCollection;
  if (!logStore || paths.length === 0) return { collected: [], uncollected: [] };
  const own = settings.env.find((e) => e.name.startsWith(LOG_ENV_PREFIX));
  if (own) return { collected: [], uncollected: paths.map((path, index) => ({ index, path, reason: `Your own variable ${own.name} configures the collector, so cairn sets no ${LOG_ENV_PREFIX} variables.` })) };
  const uncollected = new Map<number, string>();
  const root = effectiveDeployRoot(settings);
  // Leaving a path out can change the volumes of the others (an outer directory goes away): repeat until none breaks a rule.
  for (let round = 0; round <= paths.length; round++) {
    const left = paths.map((p, i) => (uncollected.has(i) ? null : p));
    const issues = logPathIssues(left, settings, root).filter((i) => !uncollected.has(i.index));
    if (issues.length === 0) break;
    for (const i of issues) if (!uncollected.has(i.index)) uncollected.set(i.index, i.message);
  }
  for (const [i, p] of paths.entries()) if (!uncollected.has(i) && p !== STDOUT && !p.startsWith('/')) uncollected.set(i, "Not an absolute path or stdout.");
  return {
    collected: paths.flatMap((path, index) => (uncollected.has(index) ? [] : [{ index, path }])),
    uncollected: [...uncollected.entries()].sort((a, b) => a[0] - b[0]).map(([index, reason]) => ({ index, path: paths[index]!, reason })),
  };
}

/** The directories the stored settings' log volumes are mounted at (what the renderer mounts). */
export function renderedLogVolumeDirectories(settings: ConfigSettings): string[] {
  return logVolumeDirectories(
    collectedLogPaths(settings).collected.map((c) => c.path),
    settings.directoryMounts,
  );
}

/** A warning about log collection (its codes are among the configuration's warning codes). */
export interface LogWarning {
  path: string[];
  code: 'LOG_PATH_NOT_COLLECTED' | 'LOG_VOLUME_ADDED';
  message: string;
}

/** One warning per stored path that is not collected (see collectedLogPaths), at the path. */
export function uncollectedLogWarnings(settings: ConfigSettings, at: Path): LogWarning[] {
  return collectedLogPaths(settings).uncollected.map((u) => ({
    path: [...at, 'logCollection', 'paths', u.index].map(String),
    code: 'LOG_PATH_NOT_COLLECTED',
    message: `${u.path} is not collected: ${u.reason}`,
  }));
}

/**
 * One warning per log volume a release mounts that the running revision's settings do not (all of
 * them before the first release has none to compare with: nothing runs yet, so nothing is hidden).
 * An empty volume hides what the image ships in its directory.
 */
export function addedLogVolumeWarnings(running: ConfigSettings | null, next: ConfigSettings, at: Path): LogWarning[] {
  if (!running) return [];
  const before = new Set(renderedLogVolumeDirectories(running));
  return renderedLogVolumeDirectories(next)
    .filter((d) => !before.has(d))
    .map((d) => ({
      path: [...at, 'logCollection', 'paths'].map(String),
      code: 'LOG_VOLUME_ADDED',
      message: `This release mounts a new empty volume at ${d} (${LOG_VOLUME_SIZE_LIMIT} at most) for the node collector; whatever the image ships in ${d} is hidden from the app.`,
    }));
}
