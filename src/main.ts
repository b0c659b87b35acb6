/**
 * The composition root: reads the configuration, opens the database, loads the clusters (from the
 * kubeconfig, or sandbox clusters started here when there is none), builds the schema and the
 * server, and shuts everything down gracefully on SIGTERM/SIGINT.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { type Config, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { createRepositories } from './db/repositories.js';
import { findKubeconfigFiles, type KubeconfigSource, readKubeconfigFiles } from './kube/kubeconfig.js';
import { kubeTimeouts } from './kube/kube-timeouts.js';
import { versionCheck } from './kube/reachability.js';
import { createClusterRegistry } from './kube/registry.js';
import { createWorkloads } from './kube/workloads.js';
import { createReconciler } from './engine/reconciler.js';
import { createReleaseService } from './engine/service.js';
import { createOrderEvents } from './engine/order-events.js';
import { informerWatch } from './live/engine-watch.js';
import { createLiveStatus } from './live/live-status.js';
import { createTerminals } from './live/terminal.js';
import { schema } from './schema/index.js';
import { ensureAdminToken } from './auth/bootstrap.js';
import { prepareSecrets } from './secrets/startup.js';
import { buildServer, createContextFactory, createLogger } from './server/index.js';
import { safeError } from './server/safe-error.js';

/** The sandbox clusters `npm start` runs when no kubeconfig exists (production and test must differ). */
const SANDBOX_CLUSTERS = ['sandbox-production', 'sandbox-test'];
/** Exit no later than this after a signal, whatever happens. */
const HARD_EXIT_MS = 9_500;

interface Running {
  stop(): Promise<void> | void;
}

/** What a shutdown stops, in this order: first the server drains, the database closes last. */
const STOP_ORDER = ['server', 'release engine', 'cluster checks', 'sandbox', 'database'] as const;
type Part = Running & { name: string; kind: (typeof STOP_ORDER)[number] };

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  const parts: Part[] = [];
  let stopping = false;
  // Cancels every request to a cluster in flight, every watch and stream, and every retry: nothing waits on a cluster at
  // shutdown. Aborted once the server has drained (so in-flight API requests that need a cluster may still finish within
  // CAIRN_SHUTDOWN_TIMEOUT_MS), before the release engine and the informers stop.
  const clusterCalls = new AbortController();

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received: shutting down');
    setTimeout(() => {
      logger.error({ afterMs: HARD_EXIT_MS }, 'shutdown took too long: exiting');
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    const ordered = [...parts].sort((a, b) => STOP_ORDER.indexOf(a.kind) - STOP_ORDER.indexOf(b.kind));
    for (const part of ordered) {
      if (part.kind !== 'server') clusterCalls.abort();
      try {
        await part.stop();
      } catch (error) {
        logger.error({ error: safeError(error), part: part.name }, 'stopping failed');
      }
    }
    logger.info('bye');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  const crash = (what: string) => (error: unknown) => {
    logger.fatal({ error: safeError(error) }, what);
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  const { host, port, databasePath, logLevel, sandboxSpeed, clusterCheckIntervalMs } = config;
  logger.info({ host, port, databasePath, logLevel, sandboxSpeed, clusterCheckIntervalMs }, 'starting cairn');

  const kubeconfigFiles = findKubeconfigFiles(config.kubeconfig); // a missing configured file fails here, early
  const database = openDatabase(config.databasePath);
  parts.push({ name: 'database', kind: 'database', stop: () => database.close() });
  // openDatabase applied every pending migration before returning: from here on the database is migrated.
  logger.info({ path: config.databasePath }, 'database open and migrated');
  // The key that encrypts secret env values at rest (generated, 0600, on the first start); plaintext secrets of older databases are encrypted here.
  const cipher = prepareSecrets(config, database.db, logger);
  const repos = createRepositories(database.db, { cipher });
  // The very first start creates the admin token and writes it to a file (0600); the log says where.
  ensureAdminToken(repos, config, logger, new Date());

  const clusters = createClusterRegistry({
    logger,
    check: versionCheck(config.clusterCheckTimeoutMs),
    checkIntervalMs: config.clusterCheckIntervalMs,
    unreachableAfterFailures: config.clusterUnreachableAfterFailures,
    timeouts: kubeTimeouts(config),
    signal: clusterCalls.signal,
  });
  parts.push({ name: 'cluster checks', kind: 'cluster checks', stop: () => clusters.stop() });

  // Live status: shared informers per (cluster, namespace, kind) and the event hub the subscriptions read
  // (stopped after the release engine, which watches its environments through the same informers).
  const live = createLiveStatus((cluster) => clusters.kubeConfig(cluster));
  parts.push({ name: 'live status', kind: 'cluster checks', stop: () => live.stop() });

  // The release engine: reconciles every active release order through the Kubernetes layer.
  // It watches its environments through the shared informers of live status: one watch per namespace and kind.
  // Each retried and each failed cluster request is logged at debug; retries stop at shutdown.
  const retry = { logger, signal: clusterCalls.signal };
  // One read path: the engine observes its environments from the shared informer caches (no list per pass).
  const kube = { ...createWorkloads((cluster) => clusters.kubeConfig(cluster), { retry }), observeEnvironment: live.reads.observeEnvironment, watchEnvironment: informerWatch(live.informers) };
  const orderEvents = createOrderEvents();
  const reconciler = createReconciler({
    events: orderEvents,
    repos,
    kube,
    logger,
    batchDeadlineMs: config.releaseBatchDeadlineMs,
    resyncIntervalMs: config.releaseResyncIntervalMs,
    revisionsKept: config.revisionsKept,
    warnAfterFailures: config.releaseStepFailuresBeforeWarning,
  });
  const releases = createReleaseService(repos, kube, reconciler, orderEvents);

  // Remote login: interactive terminal sessions (closed first at shutdown, so their readers end).
  const terminals = createTerminals({
    idleTimeoutMs: config.terminalIdleTimeoutMs,
    reconnectGraceMs: config.terminalReconnectGraceMs,
    maxSessions: config.terminalMaxSessions,
    maxSessionsPerToken: config.terminalMaxSessionsPerToken,
    keepaliveMs: config.terminalKeepaliveMs,
  });
  parts.push({ name: 'terminals', kind: 'server', stop: () => terminals.stop() });

  const server = buildServer({
    config,
    logger,
    schema,
    contextFactory: createContextFactory({ config, logger, clusters, repos, now: () => new Date(), releases, terminals, live }),
    readiness: () => [
      ...(database.sqlite.open ? [] : ['the database is closed']),
      ...(clusters.loaded ? [] : ['clusters are loading']),
    ],
  });
  parts.push({ name: 'server', kind: 'server', stop: () => server.stop() });
  await server.start();

  const sources = await kubeconfigSources(kubeconfigFiles, config, logger, (sandbox) => {
    if (stopping) void sandbox.stop(); // started while shutting down: stop it at once
    else parts.push({ ...sandbox, kind: 'sandbox' });
  });
  if (stopping) return;
  clusters.load(sources);
  await clusters.checkAll();
  clusters.startChecking();
  reconciler.start();
  parts.push({ name: 'release engine', kind: 'release engine', stop: () => reconciler.stop() });
  logger.info(
    { clusters: clusters.list().map(({ name, server: url, reachable, sandbox }) => ({ name, server: url, reachable, sandbox })) },
    'ready',
  );
}

/**
 * The kubeconfig documents to load: the user's files when there are any; otherwise the sandbox
 * clusters', read through the very same code path.
 */
async function kubeconfigSources(
  files: string[],
  config: Config,
  logger: Logger,
  started: (sandbox: { name: string } & Running) => void,
): Promise<KubeconfigSource[]> {
  if (files.length > 0) return readKubeconfigFiles(files);
  logger.info({ clusters: SANDBOX_CLUSTERS, speed: config.sandboxSpeed }, 'no kubeconfig found: running sandbox clusters in-process');
  // Loaded only when needed: with a kubeconfig, the sandbox's code is never even read.
  const { startSandboxCluster } = await import('./sandbox/cluster.js');
  const sources: KubeconfigSource[] = [];
  for (const name of SANDBOX_CLUSTERS) {
    // A fresh bearer token per run: cairn reaches its sandboxes exactly as it reaches a real cluster.
    const cluster = await startSandboxCluster({ name, speed: config.sandboxSpeed, token: randomBytes(24).toString('base64url') });
    started({ name: `sandbox cluster ${name}`, stop: () => cluster.stop() });
    logger.info({ cluster: name, server: cluster.url }, 'sandbox cluster started');
    sources.push({ text: cluster.kubeconfig, origin: `sandbox ${name}`, sandbox: true });
  }
  return sources;
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${JSON.stringify({ level: 'fatal', service: 'cairn', msg: `cannot start: ${message}` })}\n`);
  process.exit(1);
});
