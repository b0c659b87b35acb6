/**
 * A simulated container image, as data: what it listens on, how it answers, how long it takes to
 * start, how much memory it holds, what it logs, which files it ships — and how it fails.
 * All durations are simulated milliseconds (the node agent runs them through the sandbox Clock).
 */

/**
 * One answer of the simulated app's HTTP server. The body, headers and log line may hold
 * placeholders filled per request: `{method}`, `{path}`, `{status}`, `{hostname}` (the container's),
 * `{uptimeSeconds}` (since the process started), `{now}` and `{query:NAME}` (a query parameter).
 */
export interface HttpAnswer {
  status: number;
  body: string;
  contentType?: string;
  /** Extra response headers (a redirect's `Location`). */
  headers?: Record<string, string>;
  /** A line the app writes to stdout when it serves this path (an access log). */
  log?: string;
  /** From this long after the process started (simulated ms), the path answers this instead. */
  after?: { ms: number; answer: HttpAnswer };
}

/**
 * What an image runs for a subcommand (agnhost's `netexec`, `serve-hostname` …): the first argument
 * after the entrypoint. It replaces the image's ports, answers and logs.
 */
export interface Subcommand {
  description: string;
  ports: number[];
  http: Record<number, Record<string, HttpAnswer>>;
  healthPaths?: string[];
  notFound?: HttpAnswer;
  startupMs?: number;
  startupLogs?: ImageLogLine[];
  readyLogs?: ImageLogLine[];
  /** A flag that moves the (single) listening port, e.g. `port` for `--port=8080`. */
  portFlag?: string;
  fileServer?: FileServer;
}

/**
 * A web server's document root: on `port`, a path that `http` does not answer is the file under
 * `root` in the container's filesystem (so moving or removing the file changes the answer), a
 * directory its `index` file, or with `listDirectories` a listing as Go's http.FileServer writes it.
 */
export interface FileServer {
  port: number;
  root: string;
  index?: string;
  listDirectories?: boolean;
}

export interface ImageLogLine {
  text: string;
  stream?: 'stdout' | 'stderr';
  /** Simulated ms after the process starts (default 0). */
  atMs?: number;
}

export interface ImageSpec {
  /** Catalog key: the last path segment of the repository ('nginx', 'demo'). */
  name: string;
  description: string;
  /** Tags that exist in the registry (the failure tags of behaviours.ts exist for every image too). */
  tags: string[];
  sizeBytes: number;
  /** Simulated time a pull takes. */
  pullMs: number;
  /** From process start to listening on its ports (and answering health checks). */
  startupMs: number;
  /** Ports the app listens on once started. */
  ports: number[];
  /** Answers by port, then by path. A path not listed answers `notFound`. */
  http: Record<number, Record<string, HttpAnswer>>;
  notFound: HttpAnswer;
  /** Paths that answer "not ready" (503) while the app is unhealthy (never-ready tag). */
  healthPaths: string[];
  unhealthyAnswer: HttpAnswer;
  /** Steady memory working set in MiB, reached over the start-up time. */
  memoryMi: number;
  /** Lines written at start (atMs relative to process start). */
  startupLogs: ImageLogLine[];
  /** Lines written once listening. */
  readyLogs: ImageLogLine[];
  /** A line written every `everyMs` while running. */
  periodicLog?: { everyMs: number; text: string };
  /** Lines written on SIGTERM, and the exit code the process returns for it. */
  shutdownLogs: ImageLogLine[];
  sigtermExitCode: number;
  /** Image ENV. */
  env: Record<string, string>;
  workingDir: string;
  /** Image entrypoint + cmd, shown by `ps`-like tools and used as the process name in OOM messages. */
  command: string[];
  /** A file inside the container where the app also writes its log lines (for log collection paths). */
  logFile?: string;
  /** Files shipped in the image, by absolute path. */
  files: Record<string, string>;
  /** Files the app serves from the container's filesystem. */
  fileServer?: FileServer;
  /** Subcommands chosen by the first argument (a container's `args`, or what follows the entrypoint in its `command`). */
  subcommands?: Record<string, Subcommand>;
  /** The subcommand of the image's CMD, run when the container gives no arguments. */
  defaultSubcommand?: string;
}

/** What a failure tag does to an image. */
export interface Behaviour {
  /** Process exits on its own after this long (simulated ms from start), with this code and these stderr lines. */
  exitAfterMs?: number;
  exitCode?: number;
  exitLogs?: string[];
  /**
   * The exit happens only in the first pod of a namespace that runs this image (on each of its starts);
   * pods that start the image after it run normally. Exits before the image's start-up time are before it listens.
   */
  firstPodOnly?: boolean;
  /** Health paths answer 503 forever. */
  neverReady?: boolean;
  /** Replaces the image's start-up time. */
  startupMs?: number;
  /** Working set grows by this many MiB per simulated second after start-up, without bound. */
  memoryGrowthMiPerSec?: number;
  /** Replaces the steady working set. */
  memoryMi?: number;
}

/** An image reference resolved against the catalog. */
export interface ResolvedImage {
  spec: ImageSpec;
  /** The tag (or the tag implied by a digest). */
  tag: string;
  behaviour: Behaviour;
  /** e.g. docker.io/library/nginx:1.25 — what the runtime reports as the container's image. */
  fullName: string;
  /** sha256:… of this name:tag. */
  digest: string;
  /** e.g. docker-pullable://docker.io/library/nginx@sha256:… */
  imageID: string;
}
