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

/** The files the app writes its log lines to, from its environment (the variables as the container sees them). */
export function collectedLogFiles(env: Map<string, string>): string[] {
  const files = new Set<string>();
  for (const [name, value] of env) {
    if (!name.startsWith(PREFIX) || name.slice(PREFIX.length).includes('_')) continue;
    const path = value.trim();
    if (!path.startsWith('/') || path.endsWith('/')) continue;
    const file = sampleFileName(posix.basename(path));
    if (file) files.add(posix.join(posix.dirname(posix.normalize(path)), file));
  }
  return [...files];
}
