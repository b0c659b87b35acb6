/**
 * Writes a file only its owner can read (mode 0600) such that it never exists with a wider mode, not even
 * for a moment: the text goes into a new temporary file in the same folder, created with mode 0600 (and
 * fchmod'ed to it, whatever the umask), which is then renamed over the target. A reader sees the old file
 * or the new one, never a part of it; a wider mode of an existing target is not kept (the rename replaces it).
 * Used for the sandbox clusters' kubeconfig, which holds their tokens.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function writePrivateFile(file: string, text: string): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let done = false;
  const fd = openSync(temp, 'wx', 0o600); // wx: a new file, never one already there
  try {
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text);
    closeSync(fd);
    renameSync(temp, file);
    done = true;
  } finally {
    if (!done) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(temp, { force: true });
    }
  }
}
