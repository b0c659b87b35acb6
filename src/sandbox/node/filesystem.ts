/** A container's read-only view of files: image files, mounted ConfigMap/Secret keys, a few files the runtime writes. */
import { posix } from 'node:path';

export class VirtualFs {
  private readonly files = new Map<string, string>();
  /** Files whose content is computed when read (a log file the app keeps writing). */
  private readonly dynamic = new Map<string, () => string>();
  private readonly dirs = new Set<string>(['/']);

  constructor(files: Record<string, string> = {}, dirs: string[] = []) {
    for (const [p, c] of Object.entries(files)) this.write(p, c);
    for (const d of dirs) this.mkdir(d);
  }

  static normalize(path: string, cwd = '/'): string {
    return posix.resolve(cwd, path);
  }

  mkdir(path: string): void {
    let p = VirtualFs.normalize(path);
    while (!this.dirs.has(p)) {
      this.dirs.add(p);
      p = posix.dirname(p);
    }
  }

  write(path: string, content: string): void {
    const p = VirtualFs.normalize(path);
    this.files.set(p, content);
    this.mkdir(posix.dirname(p));
  }

  /** A file whose content is produced on each read. */
  provide(path: string, content: () => string): void {
    const p = VirtualFs.normalize(path);
    this.dynamic.set(p, content);
    this.files.set(p, '');
    this.mkdir(posix.dirname(p));
  }

  /** Removes a file (or a directory and what is under it); false when there was nothing. */
  remove(path: string): boolean {
    const p = VirtualFs.normalize(path);
    if (!this.exists(p)) return false;
    this.clear(p);
    this.dirs.delete(p);
    this.dynamic.delete(p);
    return true;
  }

  /** Moves a file or a directory tree to `to` (replacing what was there); false when `from` does not exist. */
  move(from: string, to: string): boolean {
    const src = VirtualFs.normalize(from);
    const dst = VirtualFs.normalize(to);
    if (!this.exists(src)) return false;
    if (src === dst) return true;
    const under = (p: string) => p === src || p.startsWith(src + '/');
    const moved = (p: string) => dst + p.slice(src.length);
    const files = [...this.files].filter(([p]) => under(p));
    const dynamic = [...this.dynamic].filter(([p]) => under(p));
    const dirs = [...this.dirs].filter(under);
    this.remove(src);
    this.remove(dst);
    for (const d of dirs) this.mkdir(moved(d));
    for (const [p, c] of files) this.write(moved(p), c);
    for (const [p, f] of dynamic) this.dynamic.set(moved(p), f);
    return true;
  }

  /** Removes everything under a directory (a volume mount hides what the image had there). */
  clear(path: string): void {
    const p = VirtualFs.normalize(path);
    for (const f of [...this.files.keys()]) if (f === p || f.startsWith(p + '/')) this.files.delete(f);
    for (const d of [...this.dirs]) if (d.startsWith(p + '/')) this.dirs.delete(d);
  }

  read(path: string): string | undefined {
    const p = VirtualFs.normalize(path);
    return this.dynamic.get(p)?.() ?? this.files.get(p);
  }

  isDir(path: string): boolean {
    return this.dirs.has(VirtualFs.normalize(path));
  }

  exists(path: string): boolean {
    const p = VirtualFs.normalize(path);
    return this.files.has(p) || this.dirs.has(p);
  }

  /** Entry names directly under a directory, sorted. */
  list(path: string): string[] {
    const p = VirtualFs.normalize(path);
    const prefix = p === '/' ? '/' : p + '/';
    const names = new Set<string>();
    for (const f of [...this.files.keys(), ...this.dirs]) {
      if (f !== p && f.startsWith(prefix)) names.add(f.slice(prefix.length).split('/')[0]!);
    }
    return [...names].sort();
  }

  size(path: string): number {
    return Buffer.byteLength(this.read(path) ?? '');
  }
}
