/**
 * The one way to build cairn: `createCairn(config, deps)` opens the database (migrations applied: PostgreSQL at
 * CAIRN_DATABASE_URL when set, else the SQLite file at CAIRN_DATABASE), loads the
 * secret key, bootstraps the admin token, and wires the cluster registry, live status (informers and hub),
 * the release engine, the terminal sessions and the server. main.ts, every test harness and every bench call it.
 *
 *   const cairn = await createCairn(config, { logger, kubeconfig: { files } });
 *   await cairn.start();   // listens, loads and checks the clusters, starts the release engine
 *   await cairn.stop();    // the server drains first, the database closes last
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { ensureAdminToken } from './auth/bootstrap.js';
import type { TokenEvents } from './auth/token-events.js';
import type { Config } from './config.js';
import type { OpenDatabase } from './db/client.js';
import { databaseWhere, openConfiguredDatabase } from './db/pg/database-url.js';
import { createRepositories, type Repositories } from './db/repositories.js';
import type { KubePort } from './engine/kube-port.js';
import type { OrderEvents } from './engine/order-events.js';
import { createReconciler, type Reconciler } from './engine/reconciler.js';
import { CHANGE_POLL_MS, createChangePoll } from './engine/leader/change-poll.js';
import { createLeadership, holderId, type Leadership } from './engine/leader/leadership.js';
import { leaseStoreFor } from './engine/leader/lease-store-for.js';
import { declareLeaderMetrics } from './observability/leader-metrics.js';
import { createReleaseService, type ReleaseService } from './engine/service.js';
import { type KubeconfigSource, readKubeconfigFiles } from './kube/kubeconfig.js';
import { kubeTimeouts } from './kube/kube-timeouts.js';
import { versionCheck } from './kube/reachability.js';
import { createClusterRegistry, type LoadableClusterRegistry } from './kube/registry.js';
import { createWorkloads } from './kube/workloads.js';
import { informerWatch } from './live/engine-watch.js';
import { createLiveStatus, type LiveStatus } from './live/live-status.js';
import { createTerminals, type Terminals } from './live/terminal.js';
import { createObservability, type Observability } from './observability/observability.js';
import { metricsAccess, REFUSED_MESSAGE as METRICS_REFUSED } from './observability/metrics-route.js';
import { schema } from './schema/index.js';
import { prepareSecrets } from './secrets/startup.js';
import { buildServer, type CairnServer } from './server/build-server.js';
import { createRequestBacklog } from './server/request-backlog.js';
import { createContextFactory } from './server/context-factory.js';
import { cachedTokenReads } from './auth/cached-token-reads.js';
import { createReplicaEvents } from './server/replica-events.js';
import { safeError } from './server/safe-error.js';
import type { ContextFactory } from './server/types.js';
import { databaseReadiness } from './server/database-readiness.js';
import type { CairnDeps, StartedSandbox } from './app-deps.js';

export type { CairnDeps, KubeconfigSupply, SandboxStarter, StartedSandbox, TestingKnobs } from './app-deps.js';

export interface Cairn {
  config: Config;
  logger: Logger;
  /** Open and migrated. */
  database: OpenDatabase;
  repos: Repositories;
  clusters: LoadableClusterRegistry;
  /** Live status: the shared informers and the event hub. */
  live: LiveStatus;
  /** The release engine's Kubernetes port (the workloads, its environment watch on the shared informers). */
  kube: KubePort;
  /** Told after every pass over an order: the order feeds follow it. */
  orderEvents: OrderEvents;
  reconciler: Reconciler;
  /** The engine lease: the reconciler runs only while this process holds it (null when the engine is switched off). */
  leadership: Leadership | null;
  releases: ReleaseService;
  terminals: Terminals;
  tokenEvents: TokenEvents;
  /** Authenticates a request and builds its resolvers' context (the server's; in-process yoga instances in tests may share it). */
  contextFactory: ContextFactory;
  server: CairnServer;
  /** Aborted at stop, once the server has drained: cancels every request to a cluster, every watch and every retry. */
  clusterCalls: AbortSignal;
  /** Metrics (served at /metrics) and traces. */
  observability: Observability;
  /**
   * Listens (on the configured port), loads the clusters (starting the sandbox when that is where they come
   * from), checks them, keeps checking, and starts the release engine. Resolves with where the server listens.
   * Calling it again returns the same promise.
   */
  start(): Promise<{ url: string; port: number }>;
  /**
   * Stops everything, in this order: the terminal sessions and the server (which drains); then every call to a
   * cluster is cancelled; the release engine; the cluster checks and live status; the sandbox clusters; the
   * database. A part that fails to stop is logged and the others still stop. Calling it again returns the same promise.
   */
  stop(): Promise<void>;
}

/**
 * Builds cairn: opens the database — PostgreSQL when CAIRN_DATABASE_URL is set (never a fallback to SQLite), else
 * the SQLite file — with every pending migration applied, prepares the secret key, bootstraps the admin token, and
 * wires the parts (nothing listens or runs until `start()`). A failure on the way closes the database again.
 */
export async function createCairn(config: Config, deps: CairnDeps): Promise<Cairn> {
  const { logger, testing = {} } = deps;
  const now = deps.now ?? (() => new Date());
  const database = await openConfiguredDatabase(config, { logger });
  try {
    // The database is migrated from here on; the log names it (a PostgreSQL URL without its password).
    logger.info({ ...databaseWhere(config), kind: database.kind }, 'database open and migrated');
    // The key that encrypts secret env values at rest (generated, 0600, on the first start); plaintext secrets of older databases are encrypted here.
    const cipher = await prepareSecrets(config, database, logger);
    const repos = createRepositories(database, { cipher });
    // The very first start creates the admin token and writes it to a file (0600); the log says where.
    if (testing.bootstrapAdminToken !== false) await ensureAdminToken(repos, config, logger, new Date());
    return wire(config, deps, database, repos, now);
  } catch (error) {
    await database.close().catch((closing: unknown) => logger.error({ error: safeError(closing) }, 'closing the database after a failed start failed'));
    throw error;
  }
}

function wire(config: Config, deps: CairnDeps, database: OpenDatabase, repos: Repositories, now: () => Date): Cairn {
  const { logger, testing = {} } = deps;
  // Metrics (its own registry) and traces (when OTEL_EXPORTER_OTLP_ENDPOINT is set), fed by the hooks below.
  const observability = deps.observability ?? createObservability();
  observability.metrics.engine.countOrdersIn(database);
  if (metricsAccess(config.host, config.metricsToken) === 'refused') logger.warn({ host: config.host }, METRICS_REFUSED);

  // Cancels every request to a cluster in flight, every watch and stream, and every retry: nothing waits on a cluster at
  // shutdown. Aborted once the server has drained (so in-flight API requests that need a cluster may still finish within
  // CAIRN_SHUTDOWN_TIMEOUT_MS), before the release engine and the informers stop.
  const clusterCalls = new AbortController();
  // Every open connection to a cluster (kept alive), stream and cache read listens to it: no listener cap.
  setMaxListeners(0, clusterCalls.signal);
  const clusters = createClusterRegistry({
    logger,
    check: testing.check ?? versionCheck(config.clusterCheckTimeoutMs),
    checkIntervalMs: config.clusterCheckIntervalMs,
    unreachableAfterFailures: config.clusterUnreachableAfterFailures,
    timeouts: kubeTimeouts(config),
    signal: clusterCalls.signal,
    observe: observability.kube,
    allow: config.clusters,
  });
  if ('documents' in deps.kubeconfig) clusters.load(deps.kubeconfig.documents);
  const kubeConfigOf = (cluster: string) => clusters.kubeConfig(cluster);

  // Live status: one shared informer per (cluster, kind) across namespaces, and the event hub the subscriptions
  // read (stopped after the release engine, which watches and observes its environments through the same caches).
  const live = createLiveStatus(kubeConfigOf, { ...testing.live, informers: { ...testing.live?.informers, observe: observability.informers, detach: observability.detach } });

  // The release engine: reconciles every active release order through the Kubernetes layer.
  // One read path: it observes its environments from the shared informer caches of live status (no list per pass)
  // and is woken by their changes. Each retried and each failed cluster request is logged at debug; retries stop at shutdown.
  const retry = { ...testing.retry, logger, signal: clusterCalls.signal };
  const namespaceBinding = config.namespaceBinding ? { clusterRole: config.namespaceBindingRole, user: config.namespaceBindingUser } : null;
  const workloads = createWorkloads(kubeConfigOf, { retry, namespaceBinding });
  const engineKube: KubePort = {
    ...workloads,
    observeEnvironment: live.reads.observeEnvironment,
    // What the engine prunes from after an order: the same caches (no list of the environment's workloads).
    listRevisionsInCluster: live.reads.listRevisionsInCluster,
    watchEnvironment: informerWatch(live.informers, debounce(testing.watchDebounceMs)),
  };
  const kube = testing.kube ? testing.kube(engineKube) : engineKube;
  // On PostgreSQL, order events, token revocations and role changes reach every replica (LISTEN/NOTIFY, IDs and
  // sequence numbers only; after a lost LISTEN connection the followers re-read); on SQLite they stay in this process.
  const replicaEvents = createReplicaEvents(database, { logger, repos });
  const orderEvents: OrderEvents = replicaEvents.orderEvents;
  const runEngine = testing.runEngine !== false;
  // The requests waiting in the server's line: the engine's passes wait for them (foreground first: wake-hold.ts).
  const backlog = createRequestBacklog();
  // One engine across the processes sharing the database: the reconciler runs while this process holds the engine
  // lease, and its writes and Kubernetes steps are fenced by the lease's epoch (src/engine/leader).
  const leadership: Leadership | null = runEngine
    ? createLeadership({
        // SQLite's or PostgreSQL's lease store, by the database's kind, over the very Database the repositories use.
        store: leaseStoreFor(database),
        holder: holderId(config.engineHolderName),
        ttlMs: config.engineLeaseTtlMs,
        logger,
        engine: {
          start: (): void => (reconciler.start(), followerWrites.start()),
          stop: async (): Promise<void> => (followerWrites.stop(), await reconciler.stop()),
        },
      })
    : null;
  const reconciler: Reconciler = runEngine
    ? createReconciler({
        events: orderEvents,
        repos,
        kube,
        logger,
        batchDeadlineMs: config.releaseBatchDeadlineMs,
        resyncIntervalMs: config.releaseResyncIntervalMs,
        revisionsKept: config.revisionsKept,
        warnAfterFailures: config.releaseStepFailuresBeforeWarning,
        observer: observability.engine,
        foreground: backlog,
        ...(leadership ? { fence: leadership.fence, onLeaseLost: (error) => leadership.fenced(error) } : {}),
      })
    : followersOnly(orderEvents);
  // Orders another process wrote (a follower's mutations) wake the leader's engine within CHANGE_POLL_MS. The database's
  // change counter moves when another process commits (SQLite's data_version; PostgreSQL's notifications of the other
  // replicas' commits); a database without one has nothing to poll.
  const followerWrites = database.changeCounter
    ? createChangePoll({
        changes: () => database.changeCounter!(),
        activeOrders: () => repos.releases.activeOrders(),
        wake: (orderId) => reconciler.wake(orderId),
        intervalMs: CHANGE_POLL_MS,
        onError: (error: unknown) => logger.warn({ error: safeError(error) }, 'looking for orders other processes changed failed (tried again at the next look)'),
      })
    : { start() {}, stop() {} };
  if (leadership) declareLeaderMetrics(observability.metrics.registry, leadership);
  const releases = testing.releases ?? createReleaseService(repos, kube, reconciler, orderEvents);

  // Remote login: interactive terminal sessions (closed first at shutdown, so their readers end).
  const terminals =
    testing.terminals ??
    createTerminals({
      idleTimeoutMs: config.terminalIdleTimeoutMs,
      reconnectGraceMs: config.terminalReconnectGraceMs,
      maxSessions: config.terminalMaxSessions,
      maxSessionsPerToken: config.terminalMaxSessionsPerToken,
      keepaliveMs: config.terminalKeepaliveMs,
      replica: config.engineHolderName, // named in each session's ID (default: the host name)
    });

  const tokenEvents: TokenEvents = replicaEvents.tokenEvents;
  // What query answers and token reads depend on: moves with every database write (this process's, or another's the
  // change counter saw) and every cluster change.
  const dataVersion = () =>
    `${database.statements().written}:${database.commits?.() ?? ''}:${database.changeCounter?.() ?? ''}:${replicaEvents.heard()}:${live.informers.changes()}:${clusters
      .list()
      .map((c) => `${c.reachable}${c.lastError ?? ''}`)
      .join()}`;
  const tokenReads = cachedTokenReads(repos.tokens, { version: dataVersion, maxAgeMs: config.responseCacheMs });
  const authenticate = createContextFactory(
    { config, logger, clusters, repos, now, releases, terminals, live, tokenEvents, ensureAccess: workloads.ensureAccess },
    undefined,
    tokenReads,
  );
  const onContext = testing.onContext;
  const contextFactory: ContextFactory = onContext ? (request) => (onContext(request), authenticate(request)) : authenticate;
  // The database answers a trivial query within a bound (one ping at a time, however many probes ask).
  const databaseReady = databaseReadiness(database);
  const server = buildServer({
    config,
    logger,
    schema,
    contextFactory,
    plugins: observability.plugins({ token: config.metricsToken, host: config.host }),
    // Query answers are served again while no database write (this process's, or another's the change counter saw) and
    // no cluster change happened (CAIRN_RESPONSE_CACHE_MS).
    dataVersion,
    backlog,
    readinessDetail: () => ({ ...(leadership ? { engine: leadership.status() } : {}), ...replicaEvents.detail() }),
    readiness: async () => [
      ...((await testing.readiness?.()) ?? []),
      ...(await databaseReady()),
      // A replica that does not hear the others (PostgreSQL LISTEN down) would serve subscriptions that miss their
      // order events and revocations: not ready until the connection is made again.
      ...(replicaEvents.detail().notifications?.listening === false ? ['not listening to the other replicas (the PostgreSQL LISTEN connection is down)'] : []),
      ...(clusters.loaded ? [] : ['clusters are loading']),
    ],
  });

  const sandboxes: StartedSandbox[] = [];
  let engineStarted = false;
  let stopping: Promise<void> | null = null;
  let starting: Promise<{ url: string; port: number }> | null = null;

  /** The kubeconfig documents to load: the user's files, or the sandbox clusters', read through the very same code path. */
  const sources = async (): Promise<KubeconfigSource[] | null> => {
    const supply = deps.kubeconfig;
    if ('documents' in supply) return null; // loaded when built
    if ('files' in supply) return [...(supply.inCluster ? [supply.inCluster] : []), ...readKubeconfigFiles(supply.files)];
    return supply.sandbox((sandbox) => {
      if (stopping) void sandbox.stop(); // started while shutting down: stop it at once
      else sandboxes.push(sandbox);
    });
  };

  const start = async () => {
    const listening = await server.start();
    const loading = await sources();
    if (stopping) return listening;
    if (loading) clusters.load(loading);
    // Ready now (the clusters are known): the persisted operations are checked and reported just after, not on the way.
    setImmediate(() => {
      try {
        if (!stopping) server.yoga.reportPersisted();
      } catch (error) {
        logger.error({ error: safeError(error) }, 'checking the persisted operations failed');
      }
    });
    await clusters.checkAll();
    if (stopping) return listening;
    clusters.startChecking();
    if (leadership) {
      // The engine starts when (and while) this process holds the engine lease.
      engineStarted = true;
      await leadership.start();
    }
    return listening;
  };

  const stop = async () => {
    const step = async (part: string, run: () => Promise<void> | void) => {
      try {
        await run();
      } catch (error) {
        logger.error({ error: safeError(error), part }, 'stopping failed');
      }
    };
    await step('terminals', () => terminals.stop());
    await step('server', () => server.stop());
    clusterCalls.abort();
    if (engineStarted) await step('release engine', () => leadership?.stop());
    await step('cluster checks', () => clusters.stop());
    await step('live status', () => live.stop());
    for (const sandbox of sandboxes) await step(sandbox.name, () => sandbox.stop());
    // The last order events and revocations reach the other replicas (bounded), then this replica stops listening.
    await step('replica events', () => replicaEvents.close(REPLICA_FLUSH_MS));
    await step('database', () => database.close());
    // The spans ended so far are exported; tracing stops when cairn made it (a caller's stays theirs).
    await step('traces', () => (deps.observability ? observability.flush() : observability.shutdown()));
  };

  return {
    config,
    logger,
    database,
    repos,
    clusters,
    live,
    kube,
    orderEvents,
    reconciler,
    leadership,
    releases,
    terminals,
    tokenEvents,
    contextFactory,
    server,
    clusterCalls: clusterCalls.signal,
    observability,
    start: () => (starting ??= start()),
    stop: () => (stopping ??= stop()),
  };
}

/** How long a stop waits for the last order events and revocations to be sent to the other replicas. */
const REPLICA_FLUSH_MS = 2_000;

function debounce(debounceMs: number | undefined): { debounceMs?: number } {
  return debounceMs === undefined ? {} : { debounceMs };
}

/** The release engine switched off (TestingKnobs.runEngine): no order moves; a wake only tells the order's followers. */
function followersOnly(events: OrderEvents): Reconciler {
  return {
    start() {},
    wake: (orderId) => events.publish(orderId),
    idle: async () => {},
    stop: async () => {},
  };
}
