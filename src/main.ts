/**
 * The process: reads the configuration, builds cairn (src/app.ts) on the kubeconfig's clusters (or on
 * sandbox clusters started here when there is none), starts it, and shuts it down gracefully on
 * SIGTERM/SIGINT.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { createCairn, type SandboxStarter } from './app.js';
import { type Config, loadConfig } from './config.js';
import { databaseWhere } from './db/pg/database-url.js';
import { chooseClusters } from './kube/cluster-source.js';
import { inClusterKubeconfig, serviceAccountTokenPath } from './kube/in-cluster.js';
import { findKubeconfigFiles, type KubeconfigSource } from './kube/kubeconfig.js';
import { writePrivateFile } from './kube/private-file.js';
import { createLogger } from './server/logger.js';
import { safeError } from './server/safe-error.js';
import { exitOnStartFailure } from './server/start-failure.js';

/** The sandbox clusters `npm start` runs when no kubeconfig exists (production and test must differ). */
const SANDBOX_CLUSTERS = ['sandbox-production', 'sandbox-test'];
/** Exit no later than this after a signal, whatever happens. */
const HARD_EXIT_MS = 9_500;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  let stop: (() => Promise<void>) | null = null;
  let stopping = false;

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received: shutting down');
    setTimeout(() => {
      logger.error({ afterMs: HARD_EXIT_MS }, 'shutdown took too long: exiting');
      process.exit(1);
    }, HARD_EXIT_MS).unref();
    await stop?.();
    logger.info('bye');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  let ready = false;
  const crash = (what: string) => (error: unknown) => {
    if (!ready) exitOnStartFailure(error); // still starting: a failed start, one line on stderr
    logger.fatal({ error: safeError(error) }, what);
    process.exit(1);
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled promise rejection'));
  const { host, port, logLevel, sandboxSpeed, clusterCheckIntervalMs } = config;
  // sinceStartMs: milliseconds since the process started (node's own start-up and loading cairn's code included).
  // The database: the SQLite file's path, or the PostgreSQL URL without its password.
  logger.info({ host, port, ...databaseWhere(config), logLevel, sandboxSpeed, clusterCheckIntervalMs, sinceStartMs: sinceStart() }, 'starting cairn');

  const files = findKubeconfigFiles(config.kubeconfig); // a missing configured file fails here, early
  const { KUBERNETES_SERVICE_HOST: serviceHost, KUBERNETES_SERVICE_PORT: servicePort } = process.env;
  const serviceAccountDir = config.serviceAccountDir;
  const choice = chooseClusters({
    serviceHost,
    servicePort,
    serviceAccountToken: existsSync(serviceAccountTokenPath(serviceAccountDir)),
    serviceAccountDir,
    kubeconfigFiles: files,
    sandbox: config.sandbox,
  });
  if (choice.kind === 'none') throw new Error(choice.reason); // one JSON line, exit 1
  if (choice.kind === 'sandbox') logger.warn({ reason: choice.reason, ignored: choice.ignored }, 'SANDBOX CLUSTERS: cairn deploys to simulated clusters in this process, not to a real cluster');
  else logger.info({ reason: choice.reason, inCluster: choice.inCluster ? config.inClusterName : undefined, files: choice.files }, 'clusters chosen');
  const inCluster = choice.kind === 'clusters' && choice.inCluster ? inClusterKubeconfig({ name: config.inClusterName, host: serviceHost!, port: servicePort!, dir: serviceAccountDir }) : undefined;
  const cairn = await createCairn(config, {
    logger,
    kubeconfig: choice.kind === 'clusters' ? { files: choice.files, ...(inCluster ? { inCluster } : {}) } : { sandbox: sandboxStarter(config, logger) },
  });
  stop = cairn.stop;
  await cairn.start();
  if (stopping) return;
  ready = true;
  logger.info(
    { clusters: cairn.clusters.list().map(({ name, server: url, reachable, sandbox }) => ({ name, server: url, reachable, sandbox })), sinceStartMs: sinceStart() },
    'ready',
  );
}

function sinceStart(): number {
  return Math.round(performance.now());
}

/**
 * Starts the sandbox clusters, for when there is no cluster; their kubeconfigs are read through the very same code
 * path. A kubeconfig with both (mode 0600) is written next to the database, for kubectl.
 */
function sandboxStarter(config: Config, logger: Logger): SandboxStarter {
  return async (started) => {
    logger.warn({ clusters: SANDBOX_CLUSTERS, speed: config.sandboxSpeed }, 'running sandbox clusters in-process');
    // Evaluated only when needed (in the compiled server, a part of the bundle initialised on first import): with a
    // kubeconfig, the sandbox's modules never run.
    const [{ startSandboxCluster }, { kubeconfigText }] = await Promise.all([import('./sandbox/cluster.js'), import('./sandbox/apiserver/kubeconfig.js')]);
    // Both at once: each one's start mostly waits on its own API server's answers, so their starts overlap.
    const clusters = await Promise.all(
      SANDBOX_CLUSTERS.map(async (name) => {
        // A fresh bearer token per run, over HTTPS (kubectl sends a token over HTTPS only): cairn reaches its sandboxes
        // exactly as it reaches a real cluster.
        const cluster = await startSandboxCluster({ name, speed: config.sandboxSpeed, token: randomBytes(24).toString('base64url'), tls: true });
        started({ name: `sandbox cluster ${name}`, stop: () => cluster.stop() });
        return cluster;
      }),
    );
    const sources: KubeconfigSource[] = [];
    const contexts: Parameters<typeof kubeconfigText>[0] = [];
    for (const cluster of clusters) {
      const { name } = cluster;
      logger.info({ cluster: name, server: cluster.url }, 'sandbox cluster started');
      sources.push({ text: cluster.kubeconfig, origin: `sandbox ${name}`, sandbox: true });
      contexts.push({ name, url: cluster.url, token: cluster.token, ...(cluster.certificateAuthority ? { certificateAuthority: cluster.certificateAuthority } : {}) });
    }
    const file = sandboxKubeconfigPath(config);
    writePrivateFile(file, kubeconfigText(contexts)); // 0600 from the start: a temp file created so, renamed over
    logger.warn({ file, try: `kubectl --kubeconfig ${file} get pods -A` }, 'the sandbox clusters\' kubeconfig (both contexts; readable by its owner only)');
    return sources;
  };
}

/** Where `npm start` writes its sandbox clusters' kubeconfig: next to the database file. */
const sandboxKubeconfigPath = (config: Config) => join(dirname(resolve(config.databasePath)), 'sandbox-kubeconfig.yaml');

// The build evaluates this bundle (its modules, not main) to write its V8 code cache: see scripts/server-loader.mjs.
if (process.env.CAIRN_WRITE_CODE_CACHE !== '1') main().catch(exitOnStartFailure);
