/** The commands of the sandbox shell (see shell.ts). */
import { posix } from 'node:path';
import { curl, wget } from './curl.js';
import { moveOrCopy } from './file-commands.js';
import type { Shell, ShellIO } from './shell.js';

const statusText: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};
export const httpStatusText = (s: number) => statusText[s] ?? '';

const shells = new Set(['sh', '/bin/sh', 'bash', '/bin/bash', '/usr/bin/bash', 'ash', '/bin/ash']);
const known = new Set([
  'echo', 'env', 'printenv', 'cat', 'ls', 'pwd', 'cd', 'hostname', 'whoami', 'id', 'true', 'false', 'exit', 'sleep',
  'test', '[', 'grep', 'head', 'tail', 'sort', 'wc', 'export', 'curl', 'wget', 'unset', ':', 'ps', 'kill', 'touch', 'rm', 'mkdir', 'mv', 'cp',
]);

/** Whether argv[0] names a command the sandbox image can run (for exec without a shell). */
export function isKnownCommand(name: string): boolean {
  return shells.has(name) || known.has(posix.basename(name));
}

export async function runCommand(
  shell: Shell,
  argv: string[],
  io: ShellIO,
  stdin: string | undefined,
  signal?: AbortSignal,
  direct = false,
): Promise<number> {
  const ctx = shell.ctx;
  const name0 = argv[0]!;
  const args = argv.slice(1);
  if (shells.has(name0)) {
    const c = args.indexOf('-c');
    if (c >= 0) {
      const script = args[c + 1];
      if (script === undefined) {
        io.stderr(`${posix.basename(name0)}: 0: -c requires an argument\n`);
        return 2;
      }
      return (await shell.subshell().run(script, io, signal)).status;
    }
    if (stdin !== undefined) return (await shell.subshell().run(stdin, io, signal)).status;
    return 0;
  }
  const name = name0.includes('/') && known.has(posix.basename(name0)) ? posix.basename(name0) : name0;
  const fs = ctx.fs;
  const abs = (p: string) => posix.resolve(ctx.cwd, p);
  switch (name) {
    case ':':
    case 'true':
      return 0;
    case 'false':
      return 1;
    case 'exit': {
      const code = args[0] === undefined ? shell.lastStatus : Number.parseInt(args[0], 10);
      return shell.exit(Number.isNaN(code) ? 2 : code & 255);
    }
    case 'echo': {
      let n = false;
      let rest = args;
      if (rest[0] === '-n') {
        n = true;
        rest = rest.slice(1);
      }
      io.stdout(rest.join(' ') + (n ? '' : '\n'));
      return 0;
    }
    case 'env':
      if (args.length) {
        const i = args.findIndex((a) => !a.includes('='));
        if (i >= 0) return runCommand(shell, args.slice(i), io, stdin, signal, direct);
      }
      for (const [k, v] of ctx.env) io.stdout(`${k}=${v}\n`);
      return 0;
    case 'printenv': {
      if (!args.length) {
        for (const [k, v] of ctx.env) io.stdout(`${k}=${v}\n`);
        return 0;
      }
      let code = 0;
      for (const a of args) {
        const v = ctx.env.get(a);
        if (v === undefined) code = 1;
        else io.stdout(v + '\n');
      }
      return code;
    }
    case 'export':
    case 'unset':
      for (const a of args) {
        const eq = a.indexOf('=');
        if (name === 'unset') shell.unsetVar(a);
        else if (eq > 0) shell.setVar(a.slice(0, eq), a.slice(eq + 1), true);
      }
      return 0;
    case 'pwd':
      io.stdout(ctx.cwd + '\n');
      return 0;
    case 'cd': {
      const target = abs(args[0] ?? ctx.env.get('HOME') ?? '/');
      if (!fs.isDir(target)) {
        io.stderr(`sh: cd: can't cd to ${args[0]}: No such file or directory\n`);
        return 2;
      }
      ctx.cwd = target;
      return 0;
    }
    case 'hostname':
      io.stdout(ctx.hostname + '\n');
      return 0;
    case 'whoami':
      io.stdout('root\n');
      return 0;
    case 'id':
      io.stdout('uid=0(root) gid=0(root) groups=0(root)\n');
      return 0;
    case 'sleep': {
      const s = Number.parseFloat(args[0] ?? '');
      if (Number.isNaN(s)) {
        io.stderr(`sleep: invalid number '${args[0] ?? ''}'\n`);
        return 1;
      }
      await ctx.sleep(s * 1000, signal);
      return 0;
    }
    case 'touch': {
      for (const a of args.filter((x) => !x.startsWith('-'))) if (fs.read(abs(a)) === undefined && !fs.isDir(abs(a))) fs.write(abs(a), '');
      return 0;
    }
    case 'rm': {
      const flags = args.filter((x) => x.startsWith('-')).join('');
      let code = 0;
      for (const a of args.filter((x) => !x.startsWith('-'))) {
        if (fs.isDir(abs(a)) && !flags.includes('r')) {
          io.stderr(`rm: can't remove '${a}': Is a directory\n`);
          code = 1;
        } else if (!fs.remove(abs(a)) && !flags.includes('f')) {
          io.stderr(`rm: can't remove '${a}': No such file or directory\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'mv':
    case 'cp':
      return moveOrCopy(name, fs, abs, args, io);
    case 'mkdir': {
      for (const a of args.filter((x) => !x.startsWith('-'))) fs.mkdir(abs(a));
      return 0;
    }
    case 'cat': {
      if (!args.length) {
        io.stdout(stdin ?? '');
        return 0;
      }
      let code = 0;
      for (const a of args) {
        const content = fs.read(abs(a));
        if (content !== undefined) io.stdout(content);
        else if (fs.isDir(abs(a))) {
          io.stderr(`cat: ${a}: Is a directory\n`);
          code = 1;
        } else {
          io.stderr(`cat: ${a}: No such file or directory\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'ls':
      return ls(shell, args, io);
    case 'test':
    case '[': {
      const t = name === '[' ? args.slice(0, args[args.length - 1] === ']' ? -1 : undefined) : args;
      return test(t, (p) => abs(p), shell) ? 0 : 1;
    }
    case 'grep':
      return grep(shell, args, io, stdin);
    case 'head':
    case 'tail': {
      const parsed = lineCount(name, args);
      if (typeof parsed === 'string') {
        io.stderr(parsed);
        return 1;
      }
      const text = readInput(shell, name, parsed.files, io, stdin);
      if (text === undefined) return 1;
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const n = parsed.count;
      const picked = name === 'head' ? lines.slice(0, n) : parsed.fromStart ? lines.slice(Math.max(n - 1, 0)) : n === 0 ? [] : lines.slice(-n);
      const lastLine = name === 'head' ? picked.length === lines.length : true;
      const unterminated = lastLine && !text.endsWith('\n') && picked.length > 0;
      io.stdout(picked.join('\n') + (picked.length && !unterminated ? '\n' : ''));
      return 0;
    }
    case 'sort': {
      const flags = args.filter((a) => a.startsWith('-') && a !== '-').join('');
      const text = readInput(shell, name, args.filter((a) => !a.startsWith('-') || a === '-'), io, stdin);
      if (text === undefined) return 2;
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const numeric = flags.includes('n');
      lines.sort((a, b) => (numeric ? (Number.parseFloat(a) || 0) - (Number.parseFloat(b) || 0) : 0) || (a < b ? -1 : a > b ? 1 : 0));
      if (flags.includes('r')) lines.reverse();
      const out = flags.includes('u') ? lines.filter((l, i) => i === 0 || l !== lines[i - 1]) : lines;
      io.stdout(out.map((l) => l + '\n').join(''));
      return 0;
    }
    case 'wc': {
      const flags = args.filter((a) => a.startsWith('-') && a !== '-').join('');
      const text = readInput(shell, name, args.filter((a) => !a.startsWith('-') || a === '-'), io, stdin);
      if (text === undefined) return 1;
      const counts: Record<string, number> = {
        l: (text.match(/\n/g) ?? []).length,
        w: text.split(/\s+/).filter(Boolean).length,
        c: Buffer.byteLength(text),
      };
      const asked = ['l', 'w', 'c'].filter((f) => flags.includes(f));
      const shown = asked.length ? asked : ['l', 'w', 'c'];
      io.stdout(shown.length === 1 ? `${counts[shown[0]!]}\n` : shown.map((f) => String(counts[f]).padStart(7)).join(' ') + '\n');
      return 0;
    }
    case 'ps':
      io.stdout(`PID   USER     TIME  COMMAND\n    1 root      0:01 ${ctx.mainProcess ?? 'sh'}\n`);
      return 0;
    case 'kill': {
      const sigArg = args.find((a) => a.startsWith('-'));
      const sig = (sigArg?.slice(1).replace(/^SIG/, '') ?? 'TERM').toUpperCase();
      const signal = sig === '9' || sig === 'KILL' ? 'KILL' : sig === '2' || sig === 'INT' ? 'INT' : sig === '15' || sig === 'TERM' ? 'TERM' : undefined;
      const pids = args.filter((a) => !a.startsWith('-'));
      if (!signal || !pids.length) {
        io.stderr(`sh: kill: ${!signal ? `${sig}: invalid signal specification` : 'usage: kill [-s sigspec | -n signum | -sigspec] pid'}\n`);
        return 1;
      }
      let code = 0;
      for (const pid of pids) {
        if (pid === '1' && ctx.signalMain) ctx.signalMain(signal);
        else {
          io.stderr(`sh: kill: (${pid}) - No such process\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'curl':
      return curl(ctx, args, io);
    case 'wget':
      return wget(ctx, args, io);
    default:
      if (direct) {
        io.stderr(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${name0}": executable file not found in $PATH: unknown\n`);
        return 126;
      }
      io.stderr(`${shell.name}: ${name0}: not found\n`);
      return 127;
  }
}

function ls(shell: Shell, args: string[], io: ShellIO): number {
  const fs = shell.ctx.fs;
  const flags = args.filter((a) => a.startsWith('-')).join('');
  const long = flags.includes('l');
  const all = flags.includes('a');
  const paths = args.filter((a) => !a.startsWith('-'));
  if (!paths.length) paths.push('.');
  let code = 0;
  const line = (name: string, full: string) => {
    if (!long) return `${name}\n`;
    const dir = fs.isDir(full);
    const size = dir ? 4096 : fs.size(full);
    return `${dir ? 'drwxr-xr-x' : '-rw-r--r--'}    1 root     root     ${String(size).padStart(9)} Jan  1 00:00 ${name}\n`;
  };
  paths.forEach((p, i) => {
    const full = posix.resolve(shell.ctx.cwd, p);
    if (!fs.exists(full)) {
      io.stderr(`ls: cannot access '${p}': No such file or directory\n`);
      code = 2;
      return;
    }
    if (!fs.isDir(full)) {
      io.stdout(line(p, full));
      return;
    }
    if (paths.length > 1) io.stdout(`${i ? '\n' : ''}${p}:\n`);
    const names = [...(all ? ['.', '..'] : []), ...fs.list(full).filter((n) => all || !n.startsWith('.'))];
    if (long) io.stdout(`total ${names.length * 4}\n`);
    for (const n of names) io.stdout(line(n, posix.join(full, n)));
  });
  return code;
}

function test(args: string[], abs: (p: string) => string, shell: Shell): boolean {
  const fs = shell.ctx.fs;
  if (args[0] === '!') return !test(args.slice(1), abs, shell);
  if (args.length === 1) return args[0] !== '';
  if (args.length === 2) {
    const [op, v = ''] = args;
    switch (op) {
      case '-f': return fs.read(abs(v)) !== undefined;
      case '-d': return fs.isDir(abs(v));
      case '-e': case '-r': return fs.exists(abs(v));
      case '-s': return (fs.read(abs(v)) ?? '').length > 0;
      case '-z': return v === '';
      case '-n': return v !== '';
      default: return false;
    }
  }
  const [a = '', op, b = ''] = args;
  switch (op) {
    case '=': case '==': return a === b;
    case '!=': return a !== b;
    case '-eq': return Number(a) === Number(b);
    case '-ne': return Number(a) !== Number(b);
    case '-lt': return Number(a) < Number(b);
    case '-gt': return Number(a) > Number(b);
    case '-le': return Number(a) <= Number(b);
    case '-ge': return Number(a) >= Number(b);
    default: return false;
  }
}

/** Reads the first file operand (or stdin for none or `-`); prints the error and returns undefined for a missing file. */
function readInput(shell: Shell, cmd: string, files: string[], io: ShellIO, stdin: string | undefined): string | undefined {
  const file = files[0];
  if (file === undefined || file === '-') return stdin ?? '';
  const full = posix.resolve(shell.ctx.cwd, file);
  const content = shell.ctx.fs.read(full);
  if (content === undefined) io.stderr(`${cmd}: ${file}: ${shell.ctx.fs.isDir(full) ? 'Is a directory' : 'No such file or directory'}\n`);
  return content;
}

/** head/tail options: `-n N`, `-nN`, `-N`, `--lines=N`, and tail's `-n +N` (from line N on). */
function lineCount(cmd: string, args: string[]): { count: number; fromStart: boolean; files: string[] } | string {
  let spec = '10';
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-n' || a === '--lines') spec = args[++i] ?? '';
    else if (a.startsWith('--lines=')) spec = a.slice('--lines='.length);
    else if (/^-n.+/.test(a)) spec = a.slice(2);
    else if (/^-\d+$/.test(a)) spec = a.slice(1);
    else if (a === '-f' || a === '-q') continue;
    else if (a.startsWith('-') && a !== '-') return `${cmd}: invalid option -- '${a.slice(1)}'\n`;
    else files.push(a);
  }
  const fromStart = cmd === 'tail' && spec.startsWith('+');
  const count = Number(fromStart ? spec.slice(1) : spec);
  if (spec === '' || !Number.isInteger(count) || count < 0) return `${cmd}: invalid number of lines: '${spec}'\n`;
  return { count, fromStart, files };
}

/** grep PATTERN [FILE]: basic regular expressions (`-E` extended, `-F` fixed), `-i -v -q -c -n` and combined flags like `-iv`. */
function grep(shell: Shell, args: string[], io: ShellIO, stdin: string | undefined): number {
  let flags = '';
  const patterns: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-e') patterns.push(args[++i] ?? '');
    else if (a.startsWith('--') && rest.length === 0) continue; // --color=auto and friends
    else if (a.startsWith('-') && a.length > 1 && rest.length === 0) flags += a.slice(1);
    else rest.push(a);
  }
  if (patterns.length === 0 && rest.length) patterns.push(rest.shift()!);
  if (patterns.length === 0) {
    io.stderr('Usage: grep [OPTION]... PATTERNS [FILE]...\n');
    return 2;
  }
  const files = rest;
  const toJs = (p: string) => (flags.includes('F') ? escapeRegExp(p) : flags.includes('E') ? p : basicToJs(p));
  let re: RegExp;
  try {
    re = new RegExp(patterns.map((p) => `(?:${toJs(p)})`).join('|'), flags.includes('i') ? 'i' : '');
  } catch {
    io.stderr('grep: Invalid regular expression\n');
    return 2;
  }
  const text = readInput(shell, 'grep', files, io, stdin);
  if (text === undefined) return 2;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const invert = flags.includes('v');
  const matches = lines.map((l, i) => ({ l, i })).filter(({ l }) => re.test(l) !== invert);
  if (flags.includes('q')) return matches.length ? 0 : 1;
  if (flags.includes('c')) io.stdout(`${matches.length}\n`);
  else for (const { l, i } of matches) io.stdout(`${flags.includes('n') ? `${i + 1}:` : ''}${l}\n`);
  return matches.length ? 0 : 1;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A POSIX basic regular expression as a JS one: `+ ? | ( ) { }` are literal unless escaped (GNU). */
function basicToJs(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      const n = pattern[++i]!;
      out += '+?|(){}'.includes(n) ? n : `\\${n}`;
    } else out += '+?|(){}'.includes(c) ? `\\${c}` : c;
  }
  return out;
}
