import { z } from 'zod';

/**
 * CAIRN_PERSISTED_OPERATIONS when not set: this very array (src/server/persisted-store.ts tells it from an
 * explicit `console,examples` by identity, and looks for it in cairn's package, not the working directory).
 */
export const DEFAULT_PERSISTED_PATHS = ['console', 'examples'];

/**
 * cairn's configuration: environment variables, validated once at start. Every setting has an
 * embedded default so that `npm start` works on a fresh machine.
 */
const DEFAULT_BUSINESS_TYPES = ['Taobao interactive', 'ERP', 'CRM', 'OMS', 'WMS', 'Marketing', 'Other'];

const schema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(4000),
  databasePath: z.string().min(1).default('data/cairn.db'),
  /**
   * The PostgreSQL server database (`postgres://` or `postgresql://` URL), for several replicas; unset: the embedded
   * SQLite file at `databasePath`. cairn never falls back from one to the other (src/db/pg/database-url.ts).
   */
  databaseUrl: z
    .string()
    .superRefine((v, ctx) => {
      const problem = databaseUrlProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
  /**
   * Path of a kubeconfig (several separated by ':'; a directory, such as a mounted Secret, stands for the files in
   * it); when unset, KUBECONFIG then ~/.kube/config. See src/kube/cluster-source.ts for when sandbox clusters run.
   */
  kubeconfig: z.string().optional(),
  /**
   * Sandbox (simulated) clusters: true runs them whatever else is configured; false never (with no cluster,
   * cairn then refuses to start); unset runs them only when no cluster is named and cairn is not in a pod.
   */
  sandbox: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .optional(),
  /** Only these clusters (kubeconfig context names, or the in-cluster name) are used; unset: every one found. */
  clusters: z.array(z.string().min(1).max(253)).min(1).max(100).optional(),
  /** The name under which cairn knows the cluster it runs in (when its service account is mounted). */
  inClusterName: z.string().min(1).max(253).default('in-cluster'),
  /** Where the pod's service account is mounted (token, ca.crt, namespace). */
  serviceAccountDir: z.string().min(1).default('/var/run/secrets/kubernetes.io/serviceaccount'),
  /**
   * cairn binds `namespaceBindingRole` to itself (a RoleBinding `cairn`) in each app namespace it creates
   * (src/kube/namespace.ts); false: it never does (an operator pre-creates the namespaces and their bindings).
   */
  namespaceBinding: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(true),
  /** The ClusterRole bound in each app namespace: deploy/'s `cairn-namespace`. */
  namespaceBindingRole: z.string().min(1).max(253).default('cairn-namespace'),
  /** cairn's identity on its clusters, the binding's subject: `system:serviceaccount:<ns>:<name>` or a user name. */
  namespaceBindingUser: z.string().min(1).max(253).default('system:serviceaccount:cairn:cairn'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  businessTypes: z.array(z.string().min(1)).min(1).default(DEFAULT_BUSINESS_TYPES),
  maxInstances: z.coerce.number().int().min(1).default(100),
  /** Speed factor of the sandbox clusters' simulated time (1 = real time). */
  sandboxSpeed: z.coerce.number().positive().default(1),
  /** How long a graceful shutdown waits for in-flight requests before closing connections (keep below 10 s). */
  shutdownTimeoutMs: z.coerce.number().int().positive().max(9000).default(8000),
  /** How often every cluster's API server is checked for reachability. */
  clusterCheckIntervalMs: z.coerce.number().int().min(1000).default(30_000),
  /** How long one reachability check may take before the cluster counts as unreachable. */
  clusterCheckTimeoutMs: z.coerce.number().int().min(100).default(3000),
  /** Failed reachability checks in a row before a cluster counts as unreachable (one success makes it reachable again). */
  clusterUnreachableAfterFailures: z.coerce.number().int().min(1).default(3),
  /** How long connecting (TCP and TLS) to a cluster's API server may take. */
  kubeConnectTimeoutMs: z.coerce.number().int().min(100).default(5_000),
  /** How long one get, create, update, patch or delete against a cluster may take in all; then it fails as Unavailable and is retried. */
  kubeRequestTimeoutMs: z.coerce.number().int().min(100).default(10_000),
  /** How long one list against a cluster may take in all. */
  kubeListTimeoutMs: z.coerce.number().int().min(100).default(20_000),
  /** A watch that delivers nothing (no event, no bookmark) for this long is cut and started again. */
  kubeWatchIdleTimeoutMs: z.coerce.number().int().min(1_000).default(90_000),
  /** How long one batch of a release may take before its instances that are not Ready fail (the batch deadline). */
  releaseBatchDeadlineMs: z.coerce.number().int().min(100).default(600_000),
  /** How often the release engine reconciles every active release order even without cluster events. */
  releaseResyncIntervalMs: z.coerce.number().int().min(50).default(15_000),
  /** How long the engine lease lasts unless renewed (renewed every third of it): a stopped leader's engine is taken over after at most this. */
  engineLeaseTtlMs: z.coerce.number().int().min(300).max(300_000).default(15_000),
  /** Names this process in the engine lease (default: the host name); the process id and a random part are always added. */
  engineHolderName: z.string().min(1).max(200).regex(/^[\w.:@-]+$/, 'letters, digits and . _ : @ - only').optional(),
  /**
   * How many revisions keep their objects (Deployment, ConfigMap, Secret) in the cluster after an
   * order completes; older ones are pruned. The running and the previous revision always stay.
   */
  revisionsKept: z.coerce.number().int().min(2).default(5),
  /** How long a query's answer may be served again to the same token while nothing it could read changed (0: never). */
  responseCacheMs: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** A warning is logged once a release order's steps have failed this many times in a row (each retried). */
  releaseStepFailuresBeforeWarning: z.coerce.number().int().min(1).default(5),
  /** A terminal session with no input (keystrokes, resizes or empty keepalive input) for this long is closed. */
  terminalIdleTimeoutMs: z.coerce.number().int().min(100).default(900_000),
  /** How long a terminal session waits for a reader of its output after the last one left, before it is closed. */
  terminalReconnectGraceMs: z.coerce.number().int().min(50).default(10_000),
  /** Terminal sessions open at once, at most. */
  terminalMaxSessions: z.coerce.number().int().min(1).default(50),
  /** Terminal sessions one API token may have open at once. */
  terminalMaxSessionsPerToken: z.coerce.number().int().min(1).default(5),
  /** How often the exec WebSocket of an open terminal is pinged to keep it from being dropped as idle. */
  terminalKeepaliveMs: z.coerce.number().int().min(100).default(30_000),
  /** Bytes kept of each of stdout and stderr of execInInstance; the rest is dropped and flagged. */
  execMaxOutputBytes: z.coerce.number().int().min(1).default(1_048_576),
  /** A log line longer than this (UTF-8 bytes) is cut and marked. */
  logMaxLineBytes: z.coerce.number().int().min(64).default(16_384),
  /**
   * Where the first start writes the admin token (mode 0600); default: `admin-token` next to the
   * database file. Written only when the database holds no token at all.
   */
  adminTokenFile: z.string().min(1).optional(),
  /**
   * The first admin token's secret, given (e.g. from a Kubernetes Secret) instead of generated: used on the
   * first start only (no token in the database), and then no file is written. Like every cairn token it
   * starts with `cairn_`, then at least 43 letters, digits, `-` or `_` (as many as a generated token's
   * 256 random bits; e.g. `cairn_` and `openssl rand -hex 32`) with at least 10 different ones: tokens
   * are stored as one unsalted SHA-256, which only a random secret makes safe. (10, not 16: 64 random hex
   * digits miss at least one of the 16 about one time in four, while fewer than 10 different ones happen
   * about once in 10^12 — so the advice given here always passes, and a typed pattern does not.)
   */
  adminToken: z
    .string()
    .max(256, 'At most 256 characters.')
    .regex(/^cairn_[A-Za-z0-9_-]{43,}$/, 'cairn_ followed by at least 43 letters, digits, - or _ (e.g. cairn_ and the output of openssl rand -hex 32).')
    .refine((v) => new Set(v.slice(6)).size >= 10, 'Not random enough: use at least 10 different characters (e.g. openssl rand -hex 32).')
    .optional(),
  /**
   * The key that encrypts secret values at rest: 32 bytes, base64. When unset, it is read from
   * `secretKeyFile`, which is generated (mode 0600) on the first start.
   */
  secretKey: z.string().min(1).optional(),
  /** File holding the secret key; default: `secret.key` next to the database file. */
  secretKeyFile: z.string().min(1).optional(),
  /** Deepest field nesting an operation may have. */
  maxQueryDepth: z.coerce.number().int().min(2).default(15),
  /** Highest estimated cost an operation may have (each field costs 1, each list multiplies its children by its page size). */
  maxQueryCost: z.coerce.number().int().min(10).default(50_000),
  /**
   * Most items a list argument or list input field may hold (`nodes(ids:)`, a token's grants, a
   * command's arguments …), unless the list has a cap of its own (src/server/limits/list-caps.ts).
   */
  maxListArgument: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Most aliases an operation may use. */
  maxAliases: z.coerce.number().int().min(1).default(30),
  /** Most tokens (names, punctuation, values) an operation's text may have. */
  maxQueryTokens: z.coerce.number().int().min(100).default(5_000),
  /** Largest request body, in bytes. */
  maxBodyBytes: z.coerce.number().int().min(1024).default(1_048_576),
  /** Operations one API token may run per minute (HTTP, SSE and graphql-ws together). */
  rateLimitPerMinute: z.coerce.number().int().min(1).default(600),
  /** Whether the schema may be introspected (by any authenticated token); GraphiQL needs it. */
  introspection: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(true),
  /**
   * Host directories an app's directory mounts may use without an admin: each app gets
   * `<prefix>/<app name>` under every prefix. Admins may mount any host path.
   */
  hostPathPrefixes: z
    .array(
      z
        .string()
        .refine((p) => p.startsWith('/') && !p.split('/').includes('..') && p.replace(/\/+/g, '/') !== '/', 'must be an absolute path other than /, without ..'),
    )
    .min(1)
    .default(['/var/log/cairn', '/var/lib/cairn']),
  /** Subscriptions one API token may have open at once. */
  maxSubscriptionsPerToken: z.coerce.number().int().min(1).default(100),
  /**
   * Web origins whose pages may call the API from a browser (CORS), e.g. a console on another host;
   * `*` allows any. None by default: only same-origin pages (GraphiQL) and non-browser clients.
   */
  corsOrigins: z
    .array(z.string().refine((v) => v === '*' || isOrigin(v), 'must be an origin such as https://console.example.com, or *'))
    .default([]),
  /** When set, GET /metrics requires `Authorization: Bearer <this token>` (at least 16 characters). */
  metricsToken: z.string().min(16).optional(),
  /**
   * Manifests of persisted operations (sha256 → document): files, or folders whose
   * `*.persisted.json` files are read. Default: cairn's own `console` and `examples` folders (found from its
   * package root, not the working directory), or their copies in dist/persisted/ (src/server/persisted-store.ts).
   */
  persistedOperations: z.array(z.string().min(1)).default(() => DEFAULT_PERSISTED_PATHS),
  /** Only persisted operations for tokens that are not admins: a document they send is refused (PERSISTED_QUERY_ONLY). */
  persistedOnly: z
    .union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')])
    .default(false),
});

/**
 * Why `text` is not a usable CAIRN_DATABASE_URL (a sentence naming the variable, never echoing the value); null when
 * it is. `postgres://` or `postgresql://`, user, password, host, port, one database name; query parameters such as
 * `sslmode` pass through to node-postgres, and `postgres://user@/db?host=/run/postgresql` names a unix socket folder.
 */
export function databaseUrlProblem(text: string): string | null {
  const must = 'CAIRN_DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/cairn';
  if (text.length > 2048) return `${must} (at most 2048 characters)`;
  const socket = /^[a-z]+:\/\/[^/]*@\//i.test(text); // user@ and no host: the socket folder is in ?host=
  let url: URL;
  try {
    url = new URL(socket ? text.replace('@/', '@socket/') : text);
  } catch {
    return `${must} (it is not a URL)`;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return `${must} (it does not start with postgres:// or postgresql://)`;
  if ((socket || !url.hostname) && !url.searchParams.get('host')) return `${must} (it names no host)`;
  if (url.pathname.replace(/^\//, '').includes('/')) return `${must} (the path after the host is one database name, without /)`;
  if (url.hash) return `${must} (without a #fragment)`;
  return null;
}

function isOrigin(value: string): boolean {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}

/** A comma-separated list; undefined when it names nothing. */
function nonEmptyList(value: string | undefined): string[] | undefined {
  const items = value?.split(',').map((s) => s.trim()).filter(Boolean);
  return items && items.length > 0 ? items : undefined;
}

export type Config = z.infer<typeof schema>;

/** A setting is invalid: each problem names its field (and its message the variable where that helps). */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  constructor(
    message: string,
    readonly problems: Array<{ field: string; message: string }>,
  ) {
    super(message);
  }
}

/** Builds the configuration from environment variables (CAIRN_*), with overrides for tests. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const fromEnv = {
    host: env.CAIRN_HOST,
    port: env.CAIRN_PORT ?? env.PORT,
    databasePath: env.CAIRN_DATABASE,
    databaseUrl: env.CAIRN_DATABASE_URL,
    kubeconfig: env.CAIRN_KUBECONFIG ?? env.KUBECONFIG,
    sandbox: env.CAIRN_SANDBOX,
    clusters: nonEmptyList(env.CAIRN_CLUSTERS),
    inClusterName: env.CAIRN_IN_CLUSTER_NAME,
    serviceAccountDir: env.CAIRN_SERVICE_ACCOUNT_DIR,
    namespaceBinding: env.CAIRN_NAMESPACE_BINDING,
    namespaceBindingRole: env.CAIRN_NAMESPACE_BINDING_ROLE,
    namespaceBindingUser: env.CAIRN_NAMESPACE_BINDING_USER,
    logLevel: env.CAIRN_LOG_LEVEL,
    businessTypes: env.CAIRN_BUSINESS_TYPES?.split(',').map((s) => s.trim()).filter(Boolean),
    maxInstances: env.CAIRN_MAX_INSTANCES,
    sandboxSpeed: env.CAIRN_SANDBOX_SPEED,
    shutdownTimeoutMs: env.CAIRN_SHUTDOWN_TIMEOUT_MS,
    clusterCheckIntervalMs: env.CAIRN_CLUSTER_CHECK_INTERVAL_MS,
    clusterCheckTimeoutMs: env.CAIRN_CLUSTER_CHECK_TIMEOUT_MS,
    clusterUnreachableAfterFailures: env.CAIRN_CLUSTER_UNREACHABLE_AFTER_FAILURES,
    kubeConnectTimeoutMs: env.CAIRN_KUBE_CONNECT_TIMEOUT_MS,
    kubeRequestTimeoutMs: env.CAIRN_KUBE_REQUEST_TIMEOUT_MS,
    kubeListTimeoutMs: env.CAIRN_KUBE_LIST_TIMEOUT_MS,
    kubeWatchIdleTimeoutMs: env.CAIRN_KUBE_WATCH_IDLE_TIMEOUT_MS,
    releaseBatchDeadlineMs: env.CAIRN_RELEASE_BATCH_DEADLINE_MS,
    releaseResyncIntervalMs: env.CAIRN_RELEASE_RESYNC_INTERVAL_MS,
    engineLeaseTtlMs: env.CAIRN_ENGINE_LEASE_TTL_MS,
    engineHolderName: env.CAIRN_ENGINE_HOLDER_NAME,
    revisionsKept: env.CAIRN_REVISIONS_KEPT,
    responseCacheMs: env.CAIRN_RESPONSE_CACHE_MS,
    releaseStepFailuresBeforeWarning: env.CAIRN_RELEASE_STEP_FAILURES_BEFORE_WARNING,
    terminalIdleTimeoutMs: env.CAIRN_TERMINAL_IDLE_TIMEOUT_MS,
    terminalReconnectGraceMs: env.CAIRN_TERMINAL_RECONNECT_GRACE_MS,
    terminalMaxSessions: env.CAIRN_TERMINAL_MAX_SESSIONS,
    terminalMaxSessionsPerToken: env.CAIRN_TERMINAL_MAX_SESSIONS_PER_TOKEN,
    terminalKeepaliveMs: env.CAIRN_TERMINAL_KEEPALIVE_MS,
    execMaxOutputBytes: env.CAIRN_EXEC_MAX_OUTPUT_BYTES,
    logMaxLineBytes: env.CAIRN_LOG_MAX_LINE_BYTES,
    adminTokenFile: env.CAIRN_ADMIN_TOKEN_FILE,
    adminToken: env.CAIRN_ADMIN_TOKEN,
    secretKey: env.CAIRN_SECRET_KEY,
    secretKeyFile: env.CAIRN_SECRET_KEY_FILE,
    maxQueryDepth: env.CAIRN_MAX_QUERY_DEPTH,
    maxQueryCost: env.CAIRN_MAX_QUERY_COST,
    maxListArgument: env.CAIRN_MAX_LIST_ARGUMENT,
    maxAliases: env.CAIRN_MAX_ALIASES,
    maxQueryTokens: env.CAIRN_MAX_QUERY_TOKENS,
    maxBodyBytes: env.CAIRN_MAX_BODY_BYTES,
    rateLimitPerMinute: env.CAIRN_RATE_LIMIT_PER_MINUTE,
    introspection: env.CAIRN_INTROSPECTION,
    maxSubscriptionsPerToken: env.CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN,
    corsOrigins: env.CAIRN_CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean),
    metricsToken: env.CAIRN_METRICS_TOKEN,
    hostPathPrefixes: env.CAIRN_HOSTPATH_PREFIXES?.split(',').map((s) => s.trim()).filter(Boolean),
    persistedOperations: env.CAIRN_PERSISTED_OPERATIONS?.split(',').map((s) => s.trim()).filter(Boolean),
    persistedOnly: env.CAIRN_PERSISTED_ONLY,
  };
  const defined = Object.fromEntries(Object.entries(fromEnv).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse({ ...defined, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${problems}`, parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })));
  }
  return parsed.data;
}
