/**
 * A small POSIX-ish shell for `kubectl exec`, exec probes and exec hooks: words with quotes and
 * $VAR expansion, `;` `&&` `||` `|`, redirections (to /dev/null, between streams, to and from files), and builtins
 * (echo, env, printenv, cat, ls, pwd, cd, hostname, whoami, id, true, false, exit, sleep, test/[,
 * grep, head, tail, sort, wc, export, ps, kill, touch, rm, mkdir, mv, cp, curl, wget, sh/bash -c). Unknown commands: `sh: x: not found`, exit 127.
 */
import { VirtualFs } from './filesystem.js';

export type HttpResult =
  | { kind: 'refused' }
  | { kind: 'response'; status: number; headers: Record<string, string>; body: string };

export interface ShellContext {
  env: Map<string, string>;
  fs: VirtualFs;
  cwd: string;
  hostname: string;
  /** The IPs the container answers on besides localhost (its pod IP). */
  localIPs?: string[];
  /** A request to the pod's network namespace. */
  http(port: number, method: string, path: string): Promise<HttpResult>;
  /** A request to another host of the pod network by IP; undefined when nothing has that address. */
  remote?(host: string, port: number, method: string, path: string): Promise<HttpResult | undefined>;
  /** Simulated sleep. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** The container's main process (PID 1) as `ps` shows it. */
  mainProcess?: string;
  /** Sends a signal to PID 1 (the container's process): the container ends. */
  signalMain?(signal: 'TERM' | 'KILL' | 'INT'): void;
}

export interface ShellIO {
  stdout(s: string): void;
  stderr(s: string): void;
}

type Segment = { text: string; quote: 'none' | 'single' | 'double' };
type Word = Segment[];
type Op = ';' | '&&' | '||' | '|';
type Token = { word: Word } | { op: Op };

export class ShellSyntaxError extends Error {}

export function tokenize(script: string): Token[] {
  const tokens: Token[] = [];
  let word: Word | undefined;
  const push = (text: string, quote: Segment['quote']) => {
    word ??= [];
    const last = word[word.length - 1];
    if (last && last.quote === quote && quote === 'none') last.text += text;
    else word.push({ text, quote });
  };
  const end = () => {
    if (word) tokens.push({ word });
    word = undefined;
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i]!;
    if (c === ' ' || c === '\t') {
      end();
      i++;
    } else if (c === '\n' || c === ';') {
      end();
      tokens.push({ op: ';' });
      i++;
    } else if (c === '&' && script[i + 1] === '&') {
      end();
      tokens.push({ op: '&&' });
      i += 2;
    } else if (c === '|' && script[i + 1] === '|') {
      end();
      tokens.push({ op: '||' });
      i += 2;
    } else if (c === '|') {
      end();
      tokens.push({ op: '|' });
      i++;
    } else if (c === '#' && !word) {
      while (i < script.length && script[i] !== '\n') i++;
    } else if (c === "'") {
      const close = script.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('Syntax error: Unterminated quoted string');
      push(script.slice(i + 1, close), 'single');
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (j < script.length && script[j] !== '"') {
        if (script[j] === '\\' && j + 1 < script.length && '"\\$`'.includes(script[j + 1]!)) {
          text += script[j] === '\\' && script[j + 1] === '$' ? '\\$' : script[j + 1];
          j += 2;
        } else text += script[j++];
      }
      if (j >= script.length) throw new ShellSyntaxError('Syntax error: Unterminated quoted string');
      push(text, 'double');
      i = j + 1;
    } else if (c === '\\' && i + 1 < script.length) {
      push(script[i + 1] === '$' ? '\\$' : script[i + 1]!, 'none');
      i += 2;
    } else {
      push(c, 'none');
      i++;
    }
  }
  end();
  return tokens;
}

function expand(word: Word, vars: (name: string) => string): string {
  let out = '';
  for (const seg of word) {
    if (seg.quote === 'single') {
      out += seg.text;
      continue;
    }
    out += seg.text.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*|\?|\$)/g, (m, braced, dflt, bare) => {
      if (m === '\\$') return '$';
      const name = braced ?? bare;
      const v = vars(name);
      return v === '' && dflt !== undefined ? dflt : v;
    });
  }
  return out;
}

interface Pipeline {
  commands: Word[][];
  /** Operator joining this pipeline to the previous one. */
  joiner: ';' | '&&' | '||';
}

function parse(tokens: Token[]): Pipeline[] {
  const list: Pipeline[] = [];
  let current: Pipeline = { commands: [[]], joiner: ';' };
  for (const t of tokens) {
    if ('word' in t) current.commands[current.commands.length - 1]!.push(t.word);
    else if (t.op === '|') {
      if (current.commands[current.commands.length - 1]!.length === 0) throw new ShellSyntaxError('Syntax error: "|" unexpected');
      current.commands.push([]);
    } else {
      const empty = current.commands.length === 1 && current.commands[0]!.length === 0;
      if (empty && t.op !== ';') throw new ShellSyntaxError(`Syntax error: "${t.op}" unexpected`);
      if (!empty) list.push(current);
      current = { commands: [[]], joiner: t.op };
    }
  }
  if (current.commands.some((c) => c.length > 0)) list.push(current);
  return list;
}

class ExitSignal {
  constructor(readonly code: number) {}
}

/** One shell session (an interactive `sh` keeps its variables and cwd between lines). */
export class Shell {
  lastStatus = 0;
  private readonly vars = new Map<string, string>();

  constructor(readonly ctx: ShellContext, readonly name = 'sh') {}

  private lookup = (name: string): string => {
    if (name === '?') return String(this.lastStatus);
    if (name === '$') return '1';
    return this.vars.get(name) ?? this.ctx.env.get(name) ?? '';
  };

  /** Runs a script; resolves with its exit status. Output goes to io. `exit` ends the script (and reports `exited`). */
  async run(script: string, io: ShellIO, signal?: AbortSignal): Promise<{ status: number; exited: boolean }> {
    let pipelines: Pipeline[];
    try {
      pipelines = parse(tokenize(script));
    } catch (e) {
      if (e instanceof ShellSyntaxError) {
        io.stderr(`${this.name}: 1: ${e.message}\n`);
        this.lastStatus = 2;
        return { status: 2, exited: false };
      }
      throw e;
    }
    try {
      for (const p of pipelines) {
        if (p.joiner === '&&' && this.lastStatus !== 0) continue;
        if (p.joiner === '||' && this.lastStatus === 0) continue;
        this.lastStatus = await this.pipeline(p, io, signal);
      }
    } catch (e) {
      if (e instanceof ExitSignal) {
        this.lastStatus = e.code;
        return { status: e.code, exited: true };
      }
      throw e;
    }
    return { status: this.lastStatus, exited: false };
  }

  private async pipeline(p: Pipeline, io: ShellIO, signal?: AbortSignal): Promise<number> {
    let input: string | undefined;
    let status = 0;
    for (let i = 0; i < p.commands.length; i++) {
      const last = i === p.commands.length - 1;
      let captured = '';
      const out: ShellIO = last ? io : { stdout: (s) => (captured += s), stderr: io.stderr };
      const argv = p.commands[i]!.map((w) => expand(w, this.lookup));
      status = await this.command(argv, out, input, signal);
      input = captured;
    }
    return status;
  }

  private async command(rawArgv: string[], io0: ShellIO, stdin: string | undefined, signal?: AbortSignal): Promise<number> {
    // Redirections: to /dev/null, between stdout and stderr, and to files (`>f`, `>> f`, `2>f`, `<f`).
    const argv: string[] = [];
    let out = io0.stdout;
    let err = io0.stderr;
    const fs = this.ctx.fs;
    const toFile = (target: string, append: boolean): ((s: string) => void) => {
      const path = target.startsWith('/') ? target : `${this.ctx.cwd.replace(/\/$/, '')}/${target}`;
      if (!append || fs.read(path) === undefined) fs.write(path, '');
      return (s) => fs.write(path, (fs.read(path) ?? '') + s);
    };
    for (let i = 0; i < rawArgv.length; i++) {
      const a = rawArgv[i]!;
      const file = /^([12]?)(>>|>|<)(.*)$/.exec(a);
      if (file && file[3] !== '/dev/null' && !file[3]!.startsWith('&') && (file[3] !== '' || (rawArgv[i + 1] !== undefined && rawArgv[i + 1] !== '/dev/null'))) {
        const target = file[3] || rawArgv[++i]!;
        if (file[2] === '<') {
          const content = fs.read(target.startsWith('/') ? target : `${this.ctx.cwd.replace(/\/$/, '')}/${target}`);
          if (content === undefined) {
            io0.stderr(`${this.name}: can't open ${target}: no such file
`);
            return 2;
          }
          stdin = content;
        } else if (file[1] === '2') err = toFile(target, file[2] === '>>');
        else out = toFile(target, file[2] === '>>');
        continue;
      }
      if (a === '>/dev/null' || a === '1>/dev/null') out = () => {};
      else if (a === '2>/dev/null') err = () => {};
      else if (a === '&>/dev/null') out = err = () => {};
      else if (a === '2>&1') err = out;
      else if (a === '>&2' || a === '1>&2') out = err;
      else if ((a === '>' || a === '2>') && rawArgv[i + 1] === '/dev/null') {
        if (a === '>') out = () => {};
        else err = () => {};
        i++;
      } else argv.push(a);
    }
    const io: ShellIO = { stdout: (s) => out(s), stderr: (s) => err(s) };
    // Leading assignments: `A=b` sets shell variables; `A=b cmd` puts them in cmd's environment only.
    const assignments: [string, string][] = [];
    while (argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[0]!)) {
      const a = argv.shift()!;
      const eq = a.indexOf('=');
      assignments.push([a.slice(0, eq), a.slice(eq + 1)]);
    }
    if (argv.length === 0) {
      for (const [k, v] of assignments) this.vars.set(k, v);
      return 0;
    }
    if (assignments.length === 0) return runCommand(this, argv, io, stdin, signal);
    const env = this.ctx.env;
    const saved = assignments.map(([k]) => [k, env.get(k)] as const);
    for (const [k, v] of assignments) env.set(k, v);
    try {
      return await runCommand(this, argv, io, stdin, signal);
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) env.delete(k);
        else env.set(k, v);
      }
    }
  }

  setVar(name: string, value: string, exported: boolean) {
    this.vars.set(name, value);
    if (exported) this.ctx.env.set(name, value);
  }

  unsetVar(name: string) {
    this.vars.delete(name);
    this.ctx.env.delete(name);
  }

  subshell(): Shell {
    return new Shell(this.ctx, this.name);
  }

  exit(code: number): never {
    throw new ExitSignal(code);
  }
}

// Commands live in shell-commands.ts; imported at the bottom to keep this file about the language.
import { runCommand } from './shell-commands.js';

/** `sh -c "<script>"` in a fresh shell. */
export async function runScript(ctx: ShellContext, script: string, io: ShellIO, signal?: AbortSignal): Promise<number> {
  return (await new Shell(ctx).run(script, io, signal)).status;
}

/** Runs an argv as a container runtime's exec does (no shell unless argv[0] is one). */
export async function runArgv(ctx: ShellContext, argv: string[], io: ShellIO, signal?: AbortSignal): Promise<number> {
  if (argv.length === 0) {
    io.stderr('OCI runtime exec failed: exec failed: unable to start container process: exec: no command: unknown\n');
    return 126;
  }
  const shell = new Shell(ctx);
  try {
    return await runCommand(shell, argv, io, undefined, signal, true);
  } catch (e) {
    if (e instanceof ExitSignal) return e.code;
    throw e;
  }
}

export { VirtualFs };
