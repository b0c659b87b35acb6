/**
 * The simulated process of a running container: it starts, logs, listens on the image's ports after
 * its start-up time, answers HTTP from the image's data, grows its memory, and exits (or is
 * OOM-killed) as its failure tag says. Timing is pure (processFate, workingSetMi); AppProcess runs it on the clock.
 */
import type { Clock } from '../clock.js';
import type { HttpAnswer, ResolvedImage } from '../images/catalog.js';
import type { VirtualFs } from './filesystem.js';
import type { LogBuffer } from './logs.js';
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

/** A web server's answer from its document root: the file (a directory's index.html), or undefined (404). */
export function docRootAnswer(docRoot: { port: number; dir: string } | undefined, port: number, path: string, fs: VirtualFs | undefined): HttpAnswer | undefined {
  if (!docRoot || docRoot.port !== port || !fs) return undefined;
  let file = `${docRoot.dir}${path.startsWith('/') ? '' : '/'}${path}`;
  if (file.includes('/../')) return undefined;
  if (fs.isDir(file)) file = `${file.replace(/\/$/, '')}/index.html`;
  const body = fs.read(file);
  if (body === undefined) return undefined;
  return { status: 200, body, contentType: file.endsWith('.html') ? 'text/html' : 'text/plain' };
}

export interface AppOptions {
  clock: Clock;
  log: LogBuffer;
  /** The pod is the first of its namespace to run this image (see FirstPods). */
  firstPod: boolean;
  memoryLimitMi?: number;
  /** The container's files (a docRoot image serves them). */
  fs?: VirtualFs;
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
    const cleanPath = path.split('?')[0] || '/';
    let answer: HttpAnswer;
    if (this.image.behaviour.neverReady && spec.healthPaths.includes(cleanPath)) answer = spec.unhealthyAnswer;
    else answer = spec.http[port]?.[cleanPath] ?? docRootAnswer(spec.docRoot, port, cleanPath, this.opts.fs) ?? spec.notFound;
    const fill = (s: string) => s.replaceAll('{method}', method).replaceAll('{path}', cleanPath).replaceAll('{status}', String(answer.status));
    if (answer.log) this.opts.log.write(fill(answer.log));
    const body = fill(answer.body);
    return {
      kind: 'response',
      status: answer.status,
      headers: { 'Content-Type': answer.contentType ?? 'text/plain', 'Content-Length': String(Buffer.byteLength(body)) },
      body: method === 'HEAD' ? '' : body,
    };
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
