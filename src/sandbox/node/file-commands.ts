/**
 * `mv` and `cp` of the sandbox shell, as BusyBox runs them on the container's files (the e2e
 * StatefulSet specs break and restore httpd's readiness with `mv -v …/htdocs/index.html /tmp/`).
 * A destination that is a directory receives the source under its own name.
 */
import { posix } from 'node:path';
import type { VirtualFs } from './filesystem.js';
import type { ShellIO } from './shell.js';

function operands(args: string[]): { flags: string; paths: string[] } {
  const flags = args.filter((a) => a.startsWith('-') && a.length > 1).map((a) => a.slice(1)).join('');
  return { flags, paths: args.filter((a) => !a.startsWith('-') || a === '-') };
}

export function moveOrCopy(command: 'mv' | 'cp', fs: VirtualFs, abs: (p: string) => string, args: string[], io: ShellIO): number {
  const { flags, paths } = operands(args);
  if (paths.length < 2) {
    io.stderr(`BusyBox v1.29.3 multi-call binary.\n\nUsage: ${command} [-${command === 'mv' ? 'fin' : 'RfinPp'}] SOURCE DEST\n`);
    return 1;
  }
  const dest = paths[paths.length - 1]!;
  const sources = paths.slice(0, -1);
  if (sources.length > 1 && !fs.isDir(abs(dest))) {
    io.stderr(`${command}: '${dest}' is not a directory\n`);
    return 1;
  }
  let code = 0;
  for (const source of sources) {
    const from = abs(source);
    const to = fs.isDir(abs(dest)) ? posix.join(abs(dest), posix.basename(from)) : abs(dest);
    if (!fs.exists(from)) {
      io.stderr(command === 'mv' ? `mv: can't rename '${source}': No such file or directory\n` : `cp: can't stat '${source}': No such file or directory\n`);
      code = 1;
      continue;
    }
    if (command === 'cp') {
      const content = fs.read(from);
      if (content === undefined) {
        if (!flags.includes('r') && !flags.includes('R') && !flags.includes('a')) {
          io.stderr(`cp: omitting directory '${source}'\n`);
          code = 1;
          continue;
        }
        copyTree(fs, from, to);
      } else fs.write(to, content);
    } else fs.move(from, to);
    if (flags.includes('v')) io.stdout(`'${source}' -> '${to === abs(dest) ? dest : posix.join(dest, posix.basename(from))}'\n`);
  }
  return code;
}

function copyTree(fs: VirtualFs, from: string, to: string): void {
  fs.mkdir(to);
  for (const name of fs.list(from)) {
    const src = posix.join(from, name);
    const dst = posix.join(to, name);
    const content = fs.read(src);
    if (content === undefined) copyTree(fs, src, dst);
    else fs.write(dst, content);
  }
}
