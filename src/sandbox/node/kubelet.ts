/**
 * A simulated node's kubelet API (what the API server forwards `pods/log`, `pods/exec` and
 * `nodes/proxy` to), and the node's pod network (`pods/proxy`).
 */
import { KubeletError, type ExecIO, type ExecRequest, type HttpAnswer, type HttpRequest, type KubeletApi, type LogLine, type LogOptions } from '../kubelet-api.js';
import type { ContainerRunner } from './container.js';
import { kubeletEndpoint, type KubeletView } from './kubelet-endpoints.js';
import type { PodWorker } from './pod-worker.js';
import { runArgv, Shell, type ShellIO } from './shell.js';

export type PodLookup = (namespace: string, name: string) => PodWorker | undefined;

const shells = new Set(['sh', '/bin/sh', 'bash', '/bin/bash', 'ash', '/bin/ash']);

function pickContainer(worker: PodWorker, name: string | undefined, verb: string): ContainerRunner {
  const pod = worker.pod.metadata.name;
  const names = worker.pod.spec.containers.map((c) => c.name);
  if (!name) {
    if (names.length !== 1) throw new KubeletError(400, 'BadRequest', `a container name must be specified for pod ${pod}, choose one of: [${names.join(' ')}]`);
    name = names[0]!;
  }
  const r = worker.runners.get(name);
  if (!r) throw new KubeletError(400, 'BadRequest', verb === 'log' ? `container ${name} is not valid for pod ${pod}` : `container ${name} is not valid for pod ${pod}`);
  return r;
}

function waitingMessage(reason: string | undefined): string {
  if (reason === 'ErrImagePull' || reason === 'ImagePullBackOff') return 'trying and failing to pull image';
  return reason ?? 'ContainerCreating';
}

export function createKubeletApi(lookup: PodLookup, view: KubeletView): KubeletApi {
  const find = (ns: string, name: string) => {
    const w = lookup(ns, name);
    if (!w) throw new KubeletError(404, 'NotFound', `pods "${name}" not found`);
    return w;
  };
  return {
    async logs(namespace: string, pod: string, options: LogOptions, signal: AbortSignal): Promise<AsyncIterable<LogLine>> {
      const worker = find(namespace, pod);
      const runner = pickContainer(worker, options.container, 'log');
      if (options.previous) {
        if (!runner.previousLog) throw new KubeletError(400, 'BadRequest', `previous terminated container "${runner.name}" in pod "${pod}" not found`);
        return runner.previousLog.read({ ...options, follow: false }, signal);
      }
      const log = runner.current?.log;
      if (!log) {
        throw new KubeletError(400, 'BadRequest', `container "${runner.name}" in pod "${pod}" is waiting to start: ${waitingMessage(runner.status.state.waiting?.reason)}`);
      }
      return log.read(options, signal);
    },

    async exec(namespace: string, pod: string, request: ExecRequest, io: ExecIO, signal: AbortSignal): Promise<{ exitCode: number }> {
      const worker = find(namespace, pod);
      const runner = pickContainer(worker, request.container, 'exec');
      const inst = runner.runningInstance();
      if (!inst) throw new KubeletError(400, 'BadRequest', `container ${runner.name} is not running`);
      const ctx = runner.shellContext(inst);
      const nl = (s: string) => (request.tty ? s.replace(/\r?\n/g, '\r\n') : s);
      const out: ShellIO = {
        stdout: (s) => request.stdout && io.stdout(nl(s)),
        // With a tty, stderr goes to the terminal too.
        stderr: (s) => (request.tty ? request.stdout && io.stdout(nl(s)) : request.stderr && io.stderr(s)),
      };
      const stopped = new AbortController();
      const onAbort = () => stopped.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      inst.stop.signal.addEventListener('abort', onAbort, { once: true });
      try {
        const argv = request.command;
        const bareShell = argv.length === 1 && shells.has(argv[0]!);
        if (bareShell && request.stdin && io.stdin) {
          if (request.tty) return { exitCode: await interactive(new Shell(ctx, argv[0]!.split('/').pop()), io, out, stopped.signal) };
          let script = '';
          for await (const chunk of io.stdin) script += chunk.toString();
          return { exitCode: (await new Shell(ctx).run(script, out, stopped.signal)).status };
        }
        return { exitCode: await runArgv(ctx, argv, out, stopped.signal) };
      } finally {
        signal.removeEventListener('abort', onAbort);
        inst.stop.signal.removeEventListener('abort', onAbort);
      }
    },

    async podHttp(namespace: string, pod: string, port: number, request: HttpRequest): Promise<HttpAnswer> {
      const worker = lookup(namespace, pod);
      if (!worker) return { kind: 'refused' };
      return worker.request(port, request.method, request.path);
    },

    async kubeletHttp(request: HttpRequest): Promise<HttpAnswer> {
      return kubeletEndpoint(view, request);
    },
  };
}

/** An interactive session on a terminal: prompt, echo, one command per line, `exit` (or end of input) ends it. */
async function interactive(shell: Shell, io: ExecIO, out: ShellIO, signal: AbortSignal): Promise<number> {
  const prompt = () => io.stdout('# ');
  prompt();
  let line = '';
  for await (const chunk of io.stdin!) {
    if (signal.aborted) break;
    for (const ch of chunk.toString()) {
      if (ch === '\u0004' && line === '') return shell.lastStatus; // Ctrl-D
      if (ch === '\u0003') {
        io.stdout('^C\r\n');
        line = '';
        prompt();
        continue;
      }
      if (ch === '\u007f' || ch === '\b') {
        if (line) {
          line = line.slice(0, -1);
          io.stdout('\b \b');
        }
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        io.stdout('\r\n');
        const r = await shell.run(line, out, signal);
        line = '';
        if (r.exited) return r.status;
        prompt();
        continue;
      }
      line += ch;
      io.stdout(ch);
    }
  }
  return shell.lastStatus;
}
