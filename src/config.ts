import { z } from 'zod';

/**
 * cairn's configuration: environment variables, validated once at start. Every setting has an
 * embedded default so that `npm start` works on a fresh machine.
 */
const DEFAULT_BUSINESS_TYPES = ['Taobao interactive', 'ERP', 'CRM', 'OMS', 'WMS', 'Marketing', 'Other'];

const schema = z.object({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(4000),
  databasePath: z.string().min(1).default('data/cairn.db'),
  /** Path of a kubeconfig; when unset, KUBECONFIG then ~/.kube/config; when none exists, sandbox clusters. */
  kubeconfig: z.string().optional(),
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
  /** How long one batch of a release may take before its instances that are not Ready fail (the batch deadline). */
  releaseBatchDeadlineMs: z.coerce.number().int().min(100).default(600_000),
  /** How often the release engine reconciles every active release order even without cluster events. */
  releaseResyncIntervalMs: z.coerce.number().int().min(50).default(15_000),
});

export type Config = z.infer<typeof schema>;

/** Builds the configuration from environment variables (CAIRN_*), with overrides for tests. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const fromEnv = {
    host: env.CAIRN_HOST,
    port: env.CAIRN_PORT ?? env.PORT,
    databasePath: env.CAIRN_DATABASE,
    kubeconfig: env.CAIRN_KUBECONFIG ?? env.KUBECONFIG,
    logLevel: env.CAIRN_LOG_LEVEL,
    businessTypes: env.CAIRN_BUSINESS_TYPES?.split(',').map((s) => s.trim()).filter(Boolean),
    maxInstances: env.CAIRN_MAX_INSTANCES,
    sandboxSpeed: env.CAIRN_SANDBOX_SPEED,
    shutdownTimeoutMs: env.CAIRN_SHUTDOWN_TIMEOUT_MS,
    clusterCheckIntervalMs: env.CAIRN_CLUSTER_CHECK_INTERVAL_MS,
    clusterCheckTimeoutMs: env.CAIRN_CLUSTER_CHECK_TIMEOUT_MS,
    releaseBatchDeadlineMs: env.CAIRN_RELEASE_BATCH_DEADLINE_MS,
    releaseResyncIntervalMs: env.CAIRN_RELEASE_RESYNC_INTERVAL_MS,
  };
  const defined = Object.fromEntries(Object.entries(fromEnv).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse({ ...defined, ...overrides });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
