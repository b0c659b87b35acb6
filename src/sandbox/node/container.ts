/**
 * One container of a pod on a simulated node, through its whole life: image pull (with back-off),
 * config (env refs), create/start, PostStart, probes, exit/OOM/liveness kill, restart with the
 * CrashLoopBackOff back-off, PreStop and stop on deletion. Keeps the container's API status and logs.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ImageCatalog, ResolvedImage } from '../images/catalog.js';
import { ImagePuller } from './image-puller.js';
import { AppProcess, type Fate } from './app.js';
import { withSubcommand } from '../images/subcommands.js';
import { podHostname } from './hostname.js';
import { containerArgv, ScriptProcess } from './script-process.js';
import { isKnownCommand } from './shell-commands.js';
import { inBackoffSince, nextBackoff, type BackoffEntry } from './backoff.js';
import { containerEnv, containerFs, ContainerConfigError, expandRefs, type ObjectLookup, type PodNetwork } from './environment.js';
import type { VirtualFs } from './filesystem.js';
import { collectedLogFiles } from './log-files.js';
import { runHook, type HandlerTarget } from './handlers.js';
import { LogBuffer } from './logs.js';
import { messages, nodeMessages, waiting, type EventMessage } from './messages.js';
import type { ProbeKind } from './probe-rules.js';
import { runProber } from './prober.js';
import { simNow } from './sim-time.js';
import { parseQuantity } from './quantity.js';
import { runArgv, type HttpResult, type ShellContext } from './shell.js';
import type { Container, ContainerStatus, Pod } from './types.js';

export interface PodContext {
  readonly pod: Pod;
  readonly net: PodNetwork;
  readonly clock: Clock;
  readonly catalog: ImageCatalog;
  /** Images present on the node (by full name and by digest reference). */
  readonly nodeImages: Set<string>;
  /** Image pulls in progress on the node. */
  readonly pulls: Map<string, Promise<void>>;
  readonly lookup: ObjectLookup;
  readonly podDesc: string;
  /** Records that this pod starts `image`; true when it is the first pod of its namespace to run it. */
  firstToRun(image: string): boolean;
  event(container: Container, ev: EventMessage): void;
  nodeEvent(ev: EventMessage, component: string): void;
  changed(): void;
  /** The kubelet's own log (not the container's). */
  log(msg: string): void;
  request(port: number, method: string, path: string): HttpResult;
  /** A request to another pod's IP over the cluster's pod network; undefined when no pod has it. */
  remote?(ip: string, port: number, method: string, path: string): HttpResult | undefined;
}

interface Instance {
  id: string;
  app: AppProcess | ScriptProcess;
  log: LogBuffer;
  env: Map<string, string>;
  fs: VirtualFs;
  startedAt: string;
  stop: AbortController;
  ended: Promise<End>;
  end(e: End): void;
}

type End =
  | { kind: 'exit'; fate: Fate }
  | { kind: 'killed'; event: EventMessage; restart: boolean };

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const newContainerID = () => `containerd://${randomBytes(32).toString('hex')}`;

export { defaultPullPolicy } from './image-puller.js';

/** What a current kubelet also reports for a started container: its resources, mounts and user. */
function runtimeDetails(c: Container): Partial<ContainerStatus> {
  const out: Partial<ContainerStatus> = {};
  const r = c.resources;
  if (r && (r.limits || r.requests)) out.resources = { ...(r.limits ? { limits: r.limits } : {}), ...(r.requests ? { requests: r.requests } : {}) };
  if (c.volumeMounts?.length) {
    out.volumeMounts = c.volumeMounts.map((m) => ({ name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true, recursiveReadOnly: 'Disabled' } : {}) }));
  }
  out.user = { linux: { uid: 0, gid: 0, supplementalGroups: [0] } };
  return out;
}

export class ContainerRunner {
  status: ContainerStatus;
  current?: Instance;
  previousLog?: LogBuffer;
  /** Set while the container is being stopped for pod deletion. */
  private stopping = false;
  private readonly abort = new AbortController();
  private crashBackoff?: BackoffEntry;
  private readonly puller = new ImagePuller();
  private image?: ResolvedImage;
  private restarts = 0;
  private loop?: Promise<void>;

  /** Resolves when the container will not run again (completed, failed for good, stopped or disposed). */
  readonly finished: Promise<void>;
  private finish!: () => void;

  constructor(private container: Container, private readonly pod: PodContext, readonly init = false, waitingReason = init ? 'PodInitializing' : 'ContainerCreating') {
    this.finished = new Promise((r) => (this.finish = r));
    this.status = {
      name: container.name,
      state: { waiting: { reason: waitingReason } },
      lastState: {},
      ready: false,
      started: false,
      restartCount: 0,
      image: container.image ?? '',
      imageID: '',
    };
    // Adopting a pod after an agent restart: its processes are gone, so the next instance is a restart.
    const before = [...(pod.pod.status?.containerStatuses ?? []), ...(pod.pod.status?.initContainerStatuses ?? [])].find((s) => s.name === container.name);
    if (before?.containerID) {
      this.restarts = before.restartCount + 1;
      this.status = { ...this.status, restartCount: before.restartCount, lastState: before.lastState ?? {} };
    }
  }

  get name(): string {
    return this.container.name;
  }

  private get clock(): Clock {
    return this.pod.clock;
  }

  private event(ev: EventMessage) {
    this.pod.event(this.container, ev);
  }

  private setWaiting(reason: string, message?: string) {
    const last = this.status.state.terminated ? { terminated: this.status.state.terminated } : this.status.lastState;
    this.status = { ...this.status, state: { waiting: { reason, ...(message ? { message } : {}) } }, lastState: last, ready: false, started: false };
    this.pod.changed();
  }

  private sleep(ms: number): Promise<boolean> {
    return this.clock.sleep(ms, this.abort.signal).then(
      () => true,
      () => false,
    );
  }

  start(): void {
    if (this.init && this.status.state.waiting?.reason === 'PodInitializing') this.setWaiting('PodInitializing');
    this.loop ??= this.run()
      .catch((e) => this.pod.log(`container ${this.container.name} of ${this.pod.podDesc} failed: ${String(e)}`))
      .finally(() => this.finish());
  }

  /** An app container waiting for init containers shows PodInitializing; once they are done, ContainerCreating. */
  initialized(): void {
    if (this.status.state.waiting?.reason === 'PodInitializing') this.setWaiting('ContainerCreating');
  }

  /** The pod's spec changed: a changed image restarts the container (as the kubelet does on a spec hash change). */
  update(container: Container): void {
    const changed = container.image !== this.container.image;
    this.container = container;
    if (changed && this.current) {
      this.current.end({ kind: 'killed', event: { type: 'Normal', reason: 'Killing', message: `Container ${container.name} definition changed, will be restarted` }, restart: true });
    }
  }

  private async run(): Promise<void> {
    while (!this.abort.signal.aborted && !this.stopping) {
      const image = await this.ensureImage();
      if (!image) continue;
      this.image = image;
      let env: Map<string, string>;
      let fs: VirtualFs;
      try {
        env = await containerEnv(this.pod.pod, this.container, image.spec.env, this.pod.lookup, this.pod.net);
        fs = await containerFs(this.pod.pod, this.container, image.spec.files, this.pod.lookup, this.pod.net);
      } catch (e) {
        if (!(e instanceof ContainerConfigError)) throw e;
        this.setWaiting('CreateContainerConfigError', e.message);
        this.event(messages.error(e.message));
        await this.sleep(10_000);
        continue;
      }
      if (this.abort.signal.aborted || this.stopping) return;
      const end = await this.runInstance(image, env, fs);
      if (this.stopping || this.abort.signal.aborted) return;
      if (!(await this.afterExit(end))) return;
    }
  }

  /** Resolves the image, pulling it if the policy says so; undefined after a failure (back-off already waited). */
  private ensureImage(): Promise<ResolvedImage | undefined> {
    return this.puller.ensure(this.container, {
      catalog: this.pod.catalog,
      nodeImages: this.pod.nodeImages,
      pulls: this.pod.pulls,
      now: () => simNow(this.clock),
      setWaiting: (reason, message) => this.setWaiting(reason, message),
      event: (ev) => this.event(ev),
      sleep: (ms) => this.sleep(ms),
    });
  }

  private memoryLimitMi(): number | undefined {
    const lim = this.container.resources?.limits?.memory;
    return lim === undefined ? undefined : parseQuantity(lim) / 1024 ** 2;
  }

  shellContext(inst: Instance): ShellContext {
    return {
      env: new Map(inst.env),
      fs: inst.fs,
      cwd: this.container.workingDir ?? this.image?.spec.workingDir ?? '/',
      hostname: podHostname(this.pod.pod),
      localIPs: [this.pod.net.podIP],
      http: async (port, method, path) => this.pod.request(port, method, path),
      remote: async (host, port, method, path) => this.pod.remote?.(host, port, method, path),
      sleep: (ms, signal) => this.clock.sleep(ms, signal),
      mainProcess: (containerArgv(this.container.command, this.container.args) ?? inst.app.image.spec.command).join(' '),
      signalMain: (signal) => {
        // The process dies of the signal (or, for SIGTERM/SIGINT, exits the way the image does on it).
        if (!inst.app.isRunning) return;
        const exitCode = signal === 'KILL' ? 137 : signal === 'INT' ? 130 : inst.app.terminate();
        inst.app.kill();
        inst.end({ kind: 'exit', fate: { afterMs: 0, exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } });
      },
    };
  }

  private handlerTarget(inst: Instance): HandlerTarget {
    return {
      podIP: this.pod.net.podIP,
      container: this.container,
      request: (port, method, path) => this.pod.request(port, method, path),
      remote: (host, port, method, path) => this.pod.remote?.(host, port, method, path),
      sleep: (ms) => this.clock.sleep(ms, inst.stop.signal).catch(() => {}),
      exec: async (argv, timeoutMs) => {
        let output = '';
        const ac = new AbortController();
        const onStop = () => ac.abort();
        inst.stop.signal.addEventListener('abort', onStop, { once: true });
        const timer = timeoutMs === undefined ? undefined : this.clock.after(timeoutMs, () => ac.abort(new Error('timeout')));
        try {
          const code = await runArgv(this.shellContext(inst), argv, { stdout: (s) => (output += s), stderr: (s) => (output += s) }, ac.signal);
          return { code, output, timedOut: false };
        } catch {
          return { code: 137, output, timedOut: true };
        } finally {
          timer?.();
          inst.stop.signal.removeEventListener('abort', onStop);
        }
      },
    };
  }

  private async runInstance(image: ResolvedImage, env: Map<string, string>, fs: VirtualFs): Promise<End> {
    const id = newContainerID();
    const log = new LogBuffer(() => this.clock.now());
    let resolveEnd!: (e: End) => void;
    const ended = new Promise<End>((r) => (resolveEnd = r));
    let done = false;
    const end = (e: End) => {
      if (done) return;
      done = true;
      resolveEnd(e);
    };
    const restartCount = this.restarts;
    this.event(messages.created(this.container.name));
    const argv = containerArgv(this.container.command, this.container.args)?.map((a) => expandRefs(a, env));
    let inst!: Instance;
    const app =
      argv && isKnownCommand(argv[0]!)
        ? new ScriptProcess(image, argv, this.clock, log, () => this.shellContext(inst), (fate) => end({ kind: 'exit', fate }))
        : new AppProcess(withSubcommand(image, this.container.command?.map((a) => expandRefs(a, env)), this.container.args?.map((a) => expandRefs(a, env))), {
            clock: this.clock,
            log,
            hostname: podHostname(this.pod.pod),
            fs,
            firstPod: this.pod.firstToRun(image.fullName),
            memoryLimitMi: this.memoryLimitMi(),
            onExit: (fate) => end({ kind: 'exit', fate }),
          });
    const logText = () => log.lines.map((l) => `${l.text}\n`).join('');
    for (const file of new Set([...(image.spec.logFile ? [image.spec.logFile] : []), ...collectedLogFiles(env, image.spec.logFile)])) fs.provide(file, logText);
    inst = { id, app, log, env, fs, startedAt: iso(app.startedAt), stop: new AbortController(), ended, end };
    this.current = inst;
    this.event(messages.started(this.container.name));
    const base = { ...this.status, image: image.fullName, imageID: image.imageID, containerID: id, restartCount, ...runtimeDetails(this.container) };
    const post = this.container.lifecycle?.postStart;
    if (post) {
      // The pod worker is busy with the hook: the API keeps showing the container as waiting.
      const hook = await Promise.race([runHook(post, this.handlerTarget(inst)), ended.then(() => undefined)]);
      if (hook && !hook.ok) {
        this.pod.log(`PostStartHook for ${this.pod.podDesc} container ${this.container.name} failed: ${hook.kind} lifecycle hook (${hook.handler}) failed - error: ${hook.error}`);
        this.event(messages.postStartFailed());
        end({ kind: 'killed', event: messages.killingPostStart(), restart: true });
      }
    }
    if (!done) {
      const hasStartup = Boolean(this.container.startupProbe);
      const hasReadiness = Boolean(this.container.readinessProbe);
      this.status = {
        ...base,
        state: { running: { startedAt: inst.startedAt } },
        lastState: this.status.state.terminated ? { terminated: this.status.state.terminated } : this.status.lastState,
        started: !hasStartup,
        ready: !hasStartup && !hasReadiness,
      };
      this.pod.changed();
      for (const kind of ['startup', 'liveness', 'readiness'] as const) this.probeLoop(kind, inst).catch(() => {});
    } else {
      this.status = { ...base, lastState: this.status.state.terminated ? { terminated: this.status.state.terminated } : this.status.lastState };
    }
    const result = await ended;
    inst.stop.abort();
    return result;
  }

  private probeLoop(kind: ProbeKind, inst: Instance): Promise<void> {
    const probe = kind === 'startup' ? this.container.startupProbe : kind === 'liveness' ? this.container.livenessProbe : this.container.readinessProbe;
    if (!probe) return Promise.resolve();
    return runProber(kind, probe, {
      clock: this.clock,
      signal: inst.stop.signal,
      startedAt: inst.app.startedAt,
      handler: this.handlerTarget(inst),
      current: () => this.current === inst,
      started: () => Boolean(this.status.started),
      event: (ev) => this.event(ev),
      setReady: (ready) => {
        if (ready === this.status.ready) return;
        this.status = { ...this.status, ready };
        this.pod.changed();
      },
      setStarted: () => {
        this.status = { ...this.status, started: true, ready: !this.container.readinessProbe };
        this.pod.changed();
      },
      kill: (which) => inst.end({ kind: 'killed', event: messages.killingProbe(this.container.name, which), restart: true }),
    });
  }

  /** Records the terminated instance; decides on a restart and waits out the back-off. False when the container stays terminated. */
  private async afterExit(end: End): Promise<boolean> {
    const inst = this.current!;
    let exitCode: number;
    let reason: string;
    if (end.kind === 'exit') {
      exitCode = end.fate.exitCode;
      reason = end.fate.reason;
      if (reason === 'OOMKilled') {
        const limitKb = Math.round((this.memoryLimitMi() ?? 0) * 1024);
        this.pod.nodeEvent(nodeMessages.oomKilling(1000 + Math.floor(Math.random() * 30000), (inst.app.image.spec.command[0] ?? 'app').split('/').pop()!, limitKb * 3, limitKb), 'kernel-monitor');
      }
    } else {
      this.event(end.event);
      exitCode = inst.app.terminate();
      reason = exitCode === 0 ? 'Completed' : 'Error';
    }
    inst.log.close();
    this.previousLog = inst.log;
    const finished = this.clock.now();
    const finishedAt = iso(finished);
    const finishedSim = simNow(this.clock);
    this.status = {
      ...this.status,
      state: { terminated: { exitCode, reason, startedAt: inst.startedAt, finishedAt, containerID: inst.id } },
      ready: false,
      started: false,
    };
    this.pod.changed();
    const podPolicy = this.pod.pod.spec.restartPolicy ?? 'Always';
    // Init containers run to completion: they restart only on failure (unless the pod never restarts).
    const policy = this.init && podPolicy === 'Always' ? 'OnFailure' : podPolicy;
    if (policy === 'Never' || (policy === 'OnFailure' && exitCode === 0 && end.kind === 'exit')) return false;
    const now = simNow(this.clock);
    if (inBackoffSince(this.crashBackoff, finishedSim, now)) {
      const delay = this.crashBackoff!.delayMs;
      this.setWaiting('CrashLoopBackOff', waiting.crashLoop(delay, this.container.name, this.pod.podDesc));
      this.event(messages.crashBackOff(this.container.name, this.pod.podDesc));
      if (!(await this.sleep(finishedSim + delay - now + 100))) return false;
    } else {
      // Restarting right away: the next sync shows the exit for a moment.
      if (!(await this.sleep(500))) return false;
    }
    this.crashBackoff = nextBackoff(this.crashBackoff, finishedSim);
    this.restarts++;
    return true;
  }

  /** Stops the container for pod deletion: Killing, PreStop within the grace period, SIGTERM (SIGKILL when the grace runs out). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const inst = this.current;
    const running = inst && this.status.state.running;
    if (!inst || !running) {
      this.abort.abort();
      if (inst?.app.isRunning) {
        // Started but held by a PostStart hook: it is killed like any started container.
        this.event(messages.stopping(this.container.name));
        inst.app.kill();
      }
      inst?.log.close();
      inst?.stop.abort();
      inst?.end({ kind: 'killed', event: messages.stopping(this.container.name), restart: false });
      return;
    }
    this.event(messages.stopping(this.container.name));
    const pre = this.container.lifecycle?.preStop;
    let graceRanOut = false;
    if (pre) {
      const graceOver = this.clock.sleep(graceMs).then(() => 'timeout' as const);
      const hook = await Promise.race([runHook(pre, this.handlerTarget(inst)), graceOver]);
      graceRanOut = hook === 'timeout';
      if (hook !== 'timeout' && !hook.ok) {
        this.pod.log(`PreStopHook for ${this.pod.podDesc} container ${this.container.name} failed: ${hook.kind} lifecycle hook (${hook.handler}) failed - error: ${hook.error}`);
        this.event(messages.preStopFailed());
      }
    }
    let exitCode: number;
    if (graceRanOut) {
      inst.app.kill();
      exitCode = 137;
    } else exitCode = inst.app.terminate();
    inst.log.close();
    this.abort.abort();
    inst.stop.abort();
    inst.end({ kind: 'killed', event: messages.stopping(this.container.name), restart: false });
    this.status = {
      ...this.status,
      state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: inst.startedAt, finishedAt: iso(this.clock.now()), containerID: inst.id } },
      ready: false,
      started: false,
    };
    this.pod.changed();
  }

  /** The pod is gone: stop everything at once. */
  dispose(): void {
    this.finish();
    this.stopping = true;
    this.abort.abort();
    this.current?.app.kill();
    this.current?.log.close();
    this.current?.stop.abort();
    this.current?.end({ kind: 'killed', event: messages.stopping(this.container.name), restart: false });
  }

  /** The instance to exec into, when the container is running. */
  runningInstance(): Instance | undefined {
    return this.status.state.running && this.current?.app.isRunning ? this.current : undefined;
  }
}
