/**
 * Log collection as node collectors read it (pure): the log-pilot convention, which Alibaba
 * Cloud's Logtail on ACK reads too.
 *
 *   aliyun_logs_<key>=<path>            a log file (the file name may be a pattern) or `stdout`
 *   aliyun_logs_<key>_tags=app=…,environment=…   where the lines come from
 *   aliyun_logs_<key>_target=<store>    the store (log-pilot: the index or topic), when <key> is not the store
 *   aliyun_logs_<key>_logstore=<store>  the same for Logtail
 *
 * log-pilot turns `_` into `.` and splits the name on `.`, so a key holds no `_` or `.`: it is the
 * store with those turned into `-`, and `-<n>` from the second path on (one key per path). The
 * collector reads a file through the host directory behind the container's mount, so each log
 * directory that is not on a directory mount already gets an emptyDir volume `logs-<n>` of at most
 * LOG_VOLUME_SIZE_LIMIT (src/domain/log-collection.ts chooses which). Nothing is rendered without a
 * store; a stored path that breaks the path rules is left out (collectedLogPaths), never refused.
 */
import type { V1EnvVar, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { ConfigSettings } from '../../domain/config-types.js';
import { collectedLogPaths, LOG_ENV_PREFIX, LOG_VOLUME_SIZE_LIMIT, logVolumeDirectories } from '../../domain/log-collection.js';
import { normalisePath } from '../../domain/names.js';
import { environmentLabel, type NameTarget } from './names.js';

export interface RenderedLogCollection {
  env: V1EnvVar[];
  volumes: V1Volume[];
  volumeMounts: V1VolumeMount[];
}

/** The collector's key of the `index`-th path into `store`: no `_` or `.`, unique per path. */
export function logKey(store: string, index: number): string {
  const base = store.replace(/[_.]/g, '-');
  return index === 0 ? base : `${base}-${index + 1}`;
}

/** The name of the `index`-th log volume (a DNS-1123 label, distinct from `files` and `dir-<n>`). */
export const logVolumeName = (index: number): string => `logs-${index}`;

/**
 * Variables, volumes and mounts for the container. `taken` are the mount paths the container
 * already has: a directory among them gets no second volume (a stored configuration the rules
 * now refuse could otherwise render a pod the API server refuses).
 */
export function renderLogCollection(t: NameTarget, settings: ConfigSettings, taken: string[] = []): RenderedLogCollection {
  const { logStore } = settings.logCollection;
  const { collected } = collectedLogPaths(settings);
  if (!logStore || collected.length === 0) return { env: [], volumes: [], volumeMounts: [] };
  const tags = `app=${t.appName},environment=${environmentLabel(t.environmentKind)}`;
  const env: V1EnvVar[] = [];
  // A path keeps its key (its index among all paths) when one before it is left out.
  collected.forEach(({ path, index: i }) => {
    const name = `${LOG_ENV_PREFIX}${logKey(logStore, i)}`;
    env.push({ name, value: path }, { name: `${name}_tags`, value: tags });
    if (logKey(logStore, i) !== logStore) env.push({ name: `${name}_target`, value: logStore }, { name: `${name}_logstore`, value: logStore });
  });
  const usedPaths = new Set(taken.map(normalisePath));
  const dirs = logVolumeDirectories(collected.map((c) => c.path), settings.directoryMounts).filter((d) => !usedPaths.has(d));
  return {
    env,
    volumes: dirs.map((_, i) => ({ name: logVolumeName(i), emptyDir: { sizeLimit: LOG_VOLUME_SIZE_LIMIT } })),
    volumeMounts: dirs.map((d, i) => ({ name: logVolumeName(i), mountPath: d })),
  };
}
