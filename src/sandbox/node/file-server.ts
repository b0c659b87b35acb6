/**
 * An image's document root served from the container's filesystem (`ImageSpec.fileServer`): the
 * file under the root, a directory's index file, or a directory listing as Go's http.FileServer
 * writes it. Pure over the filesystem it is given.
 */
import { posix } from 'node:path';
import type { FileServer, HttpAnswer } from '../images/catalog.js';
import type { VirtualFs } from './filesystem.js';

const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.htm': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.json': 'application/json', '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/** The answer for `path`, or undefined when there is nothing there (the image's 404 then). */
export function serveFile(server: FileServer, fs: VirtualFs, path: string): HttpAnswer | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  const target = posix.join(server.root, posix.normalize(`/${decoded}`));
  if (fs.isDir(target)) {
    const index = server.index ? posix.join(target, server.index) : undefined;
    if (index && fs.read(index) !== undefined) return file(index, fs.read(index)!);
    if (!server.listDirectories) return undefined;
    const entries = fs.list(target).map((name) => (fs.isDir(posix.join(target, name)) ? `${name}/` : name));
    return { status: 200, body: `<pre>\n${entries.map((e) => `<a href="${e}">${e}</a>`).join('\n')}${entries.length ? '\n' : ''}</pre>\n`, contentType: 'text/html; charset=utf-8' };
  }
  const content = fs.read(target);
  return content === undefined ? undefined : file(target, content);
}

function file(path: string, content: string): HttpAnswer {
  return { status: 200, body: content, contentType: types[posix.extname(path)] ?? 'application/octet-stream' };
}
