/**
 * The simulated process of a running container: it starts, logs, listens on the image's ports after
 * its start-up time, answers HTTP from the image's data, grows its memory, and exits (or is
 * OOM-killed) as its failure tag says. Timing is pure (processFate, workingSetMi); AppProcess runs it on the clock.
 */
import type { Clock } from '../clock.js';
import type { HttpAnswer, ResolvedImage } from '../images/catalog.js';
import type { LogBuffer } from './logs.js';
import type { VirtualFs } from './filesystem.js';
import { serveFile } from './file-server.js';
import { simSince } from './sim-time.js';
import type { HttpResult } from './shell.js';

export interface Fate {
  afterMs: number;
  reason: 'Error' | 'OOMKilled' | 'Completed';
  exitCode: number;
}

export function startupMs(image: ResolvedImage): number {
  return image.behaviour.startupMs ?? image.spec.startupMs;
}

/** Working set in MiB `tMs` after start: ramps from 30 % to the steady size over start-up, then grows if the tag says so. */
export function workingSetMi(image: ResolvedImage, tMs: number): number {
  const steady = image.behaviour.memoryMi ?? image.spec.memoryMi;
  const up = Math.max(1, startupMs(image));
  const base = steady * 0.3;
  if (tMs < up) return base + (steady - base) * (tMs / up);
  return steady + ((image.behaviour.memoryGrowthMiPerSec ?? 0) * (tMs - up)) / 1000;
}

/** When the working set first exceeds the limit (ms after start), or undefined if it never does. */
export function oomAfterMs(image: ResolvedImage, limitMi: number | undefined): number | undefined {
  if (limitMi === undefined) return undefined;
  const steady = image.behaviour.memoryMi ?? image.spec.memoryMi;
  const up = Math.max(1, startupMs(image));
  const base = steady * 0.3;
  if (base > limitMi) return Math.min(100, up);
  if (steady > limitMi) return ((limitMi - base) / (steady - base)) * up;
  const growth = image.behaviour.memoryGrowthMiPerSec ?? 0;
  if (growth <= 0) return undefined;
  return up + ((limitMi - steady) / growth) * 1000;
}

/**
 * How this instance of the process ends on its own, if it does. `firstPod`: the pod is the first of its
 * namespace to run this image (a `firstPodOnly` exit happens only there).
 */
export function processFate(image: ResolvedImage, firstPod: boolean, limitMi: number | undefined): Fate | undefined {
  const b = image.behaviour;
  const exit = b.exitAfterMs !== undefined && (!b.firstPodOnly || firstPod) ? b.exitAfterMs : undefined;
  const oom = oomAfterMs(image, limitMi);
  if (oom !== undefined && (exit === undefined || oom <= exit)) return { afterMs: oom, reason: 'OOMKilled', exitCode: 137 };
  if (exit !== undefined) return { afterMs: exit, reason: b.exitCode ? 'Error' : 'Completed', exitCode: b.exitCode ?? 0 };
  return undefined;
}

export interface AppOptions {
  clock: Clock;
  log: LogBuffer;
  /** The pod is the first of its namespace to run this image (see FirstPods). */
  firstPod: boolean;
  /** The container's hostname (`{hostname}` in the image's answers). */
  hostname?: string;
  /** The container's files, which an image with a document root serves. */
  fs?: VirtualFs;
  memoryLimitMi?: number;
  /** Called once when the process ends on its own (crash, exit, OOM kill). */
  onExit(fate: Fate): void;
}

export class AppProcess {
  readonly startedAt: Date;
  private listening = false;
  private running = true;
  private readonly cancels: (() => void)[] = [];

  constructor(readonly image: ResolvedImage, private readonly opts: AppOptions) {
    const { clock, log } = opts;
    this.startedAt = clock.now();
    const spec = image.spec;
    for (const l of spec.startupLogs) this.at(l.atMs ?? 0, () => log.write(l.text, l.stream));
    this.at(startupMs(image), () => {
      this.listening = true;
      for (const l of spec.readyLogs) log.write(l.text, l.stream);
      if (spec.periodicLog) {
        const p = spec.periodicLog;
        this.cancels.push(clock.every(p.everyMs, () => this.running && log.write(p.text)));
      }
    });
    const fate = processFate(image, opts.firstPod, opts.memoryLimitMi);
    if (fate) {
      this.at(fate.afterMs, () => {
        if (fate.reason !== 'OOMKilled') for (const l of image.behaviour.exitLogs ?? []) log.write(l, 'stderr');
        this.end();
        opts.onExit(fate);
      });
    }
  }

  private at(ms: number, fn: () => void) {
    if (ms <= 0) fn();
    else this.cancels.push(this.opts.clock.after(ms, () => this.running && fn()));
  }

  get isRunning(): boolean {
    return this.running;
  }

  get isListening(): boolean {
    return this.running && this.listening;
  }

  memoryMi(): number {
    return workingSetMi(this.image, simSince(this.opts.clock, this.startedAt));
  }

  /** An HTTP request to one of the container's ports. */
  request(port: number, method: string, path: string): HttpResult {
    const spec = this.image.spec;
    if (!this.isListening || !spec.ports.includes(port)) return { kind: 'refused' };
    const q = path.indexOf('?');
    const cleanPath = (q < 0 ? path : path.slice(0, q)) || '/';
    const query = new URLSearchParams(q < 0 ? '' : path.slice(q + 1));
    const uptimeMs = simSince(this.opts.clock, this.startedAt);
    let answer: HttpAnswer;
    if (this.image.behaviour.neverReady && spec.healthPaths.includes(cleanPath)) answer = spec.unhealthyAnswer;
    else answer = spec.http[port]?.[cleanPath] ?? this.fromFiles(port, cleanPath) ?? spec.notFound;
    while (answer.after && uptimeMs >= answer.after.ms) answer = answer.after.answer;
    const status = answer.status;
    const fill = (s: string) =>
      s.replace(/\{(method|path|status|hostname|uptimeSeconds|now|query:[^}]+)\}/g, (_, key: string) => {
        if (key === 'method') return method;
        if (key === 'path') return cleanPath;
        if (key === 'status') return String(status);
        if (key === 'hostname') return this.opts.hostname ?? 'localhost';
        if (key === 'uptimeSeconds') return String(uptimeMs / 1000);
        if (key === 'now') return this.opts.clock.now().toISOString();
        return query.get(key.slice('query:'.length)) ?? '';
      });
    if (answer.log) this.opts.log.write(fill(answer.log));
    const body = fill(answer.body);
    const extra = Object.fromEntries(Object.entries(answer.headers ?? {}).map(([k, v]) => [k, fill(v)]));
    return {
      kind: 'response',
      status,
      headers: { 'Content-Type': answer.contentType ?? 'text/plain', ...extra, 'Content-Length': String(Buffer.byteLength(body)) },
      body: method === 'HEAD' ? '' : body,
    };
  }

  private fromFiles(port: number, path: string): HttpAnswer | undefined {
    const server = this.image.spec.fileServer;
    return server && server.port === port && this.opts.fs ? serveFile(server, this.opts.fs, path) : undefined;
  }

  /** SIGTERM: the process logs its shutdown and exits with the image's code. */
  terminate(): number {
    if (this.running) for (const l of this.image.spec.shutdownLogs) this.opts.log.write(l.text, l.stream);
    this.end();
    return this.image.spec.sigtermExitCode;
  }

  /** SIGKILL. */
  kill(): void {
    this.end();
  }

  private end() {
    this.running = false;
    this.listening = false;
    for (const c of this.cancels.splice(0)) c();
  }
}
