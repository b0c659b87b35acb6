/**
 * The log files a simulated app writes because its pod asks a node collector to collect them (the
 * log-pilot convention, `aliyun_logs_<key>=<path>`): a real app is configured to log where it is
 * collected, so the simulated one writes its log lines there too — to the file itself, or for a
 * file-name pattern (`/var/log/app/*.log`) to one file that matches it (`app.log`). `stdout` and
 * the `aliyun_logs_<key>_<option>` variables name no file. Pure.
 */
import { posix } from 'node:path';

const PREFIX = 'aliyun_logs_';

/** A file name that matches a file-name pattern: `*` → `app`, `?` → `0`; a bracket class is not followed (null). */
export function sampleFileName(pattern: string): string | null {
  if (pattern.includes('[')) return null;
  const name = pattern.replace(/\*+/g, 'app').replace(/\?/g, '0');
  return name === '' ? null : name;
}

/** Whether a file name matches a pattern of `*` and `?` (a bracket class never matches here). */
export function matchesName(pattern: string, name: string): boolean {
  if (pattern.includes('[')) return false;
  const source = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

/**
 * The files the app writes its log lines to, from its environment (the variables as the container
 * sees them). A pattern that the image's own log file matches names that file (nginx's
 * `/var/log/nginx/*.log` is its access.log), not a second one.
 */
export function collectedLogFiles(env: Map<string, string>, imageLogFile?: string): string[] {
  const files = new Set<string>();
  for (const [name, value] of env) {
    if (!name.startsWith(PREFIX) || name.slice(PREFIX.length).includes('_')) continue;
    const path = value.trim();
    if (!path.startsWith('/') || path.endsWith('/')) continue;
    const dir = posix.dirname(posix.normalize(path));
    const pattern = posix.basename(path);
    if (imageLogFile && posix.dirname(imageLogFile) === dir && matchesName(pattern, posix.basename(imageLogFile))) {
      files.add(imageLogFile);
      continue;
    }
    const file = sampleFileName(pattern);
    if (file) files.add(posix.join(dir, file));
  }
  return [...files];
}
