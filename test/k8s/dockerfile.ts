/**
 * Reads the Dockerfile and .dockerignore, so that the image test follows them rather than repeating
 * them: the stages with their instructions, and which context paths the build sees. Only what
 * cairn's files use is understood (no ARG, no heredocs, no `!` exceptions): anything else fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  image: string;
  name: string | null;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, ' ');
  const stages: Stage[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) throw new Error(`cannot read this Dockerfile line: ${line}`);
    const op = match[1]!.toUpperCase();
    const args = match[2]!.trim();
    if (op === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image: image!, name: as?.toUpperCase() === 'AS' ? name! : null, instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${op} before FROM`);
    if (!['WORKDIR', 'RUN', 'COPY', 'ENV', 'USER', 'EXPOSE', 'CMD'].includes(op)) throw new Error(`the image test does not understand ${op}`);
    stage.instructions.push({ op, args });
  }
  return stages;
}

/** `ENV A=1 B=2` as pairs (values without spaces or quotes, as cairn's Dockerfile has them). */
export function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(
    args.split(/\s+/).map((pair) => {
      const at = pair.indexOf('=');
      if (at <= 0) throw new Error(`ENV ${args}: only KEY=value pairs are understood`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** `COPY [--from=stage] SRC... DEST`. */
export function copyArgs(args: string): { from: string | null; sources: string[]; dest: string } {
  const words = args.split(/\s+/);
  const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
  if (words.some((w) => w.startsWith('--'))) throw new Error(`COPY ${args}: flags other than --from are not understood`);
  const dest = words.pop()!;
  return { from, sources: words, dest };
}

/** A root-relative .dockerignore pattern as a regular expression (`*`, `?`, `**`). */
function patternRegex(pattern: string): RegExp {
  const p = pattern.replace(/^\/+/, '').replace(/\/+$/, '');
  let out = '';
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*' && p[i + 1] === '*') {
      out += '.*';
      i += p[i + 2] === '/' ? 2 : 1;
      if (p[i] === '/') out += '/?';
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

/** Whether .dockerignore leaves `path` (relative, '/'-separated) out of the build context: it or a folder above it matches. */
export function dockerIgnore(root: string): (path: string) => boolean {
  const patterns = readFileSync(join(root, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  if (patterns.some((p) => p.startsWith('!'))) throw new Error('.dockerignore exceptions (!) are not understood by the image test');
  const regexes = patterns.map(patternRegex);
  return (path) => {
    const parts = path.split('/');
    for (let n = 1; n <= parts.length; n++) {
      const prefix = parts.slice(0, n).join('/');
      if (regexes.some((r) => r.test(prefix))) return true;
    }
    return false;
  };
}
