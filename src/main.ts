/**
 * The process: reads the configuration, builds cairn (src/app.ts) on the kubeconfig's clusters (or on
 * sandbox clusters started here when there is none), starts it, and shuts it down gracefully on
 * SIGTERM/SIGINT.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { createCairn, type SandboxStarter } from './app.js';
import { type Config, loadConfig } from './config.js';
import { findKubeconfigFiles, type KubeconfigSource } from './kube/kubeconfig.js';
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
  const { host, port, databasePath, logLevel, sandboxSpeed, clusterCheckIntervalMs } = config;
  // sinceStartMs: milliseconds since the process started (node's own start-up and loading cairn's code included).
  logger.info({ host, port, databasePath, logLevel, sandboxSpeed, clusterCheckIntervalMs, sinceStartMs: sinceStart() }, 'starting cairn');

  const files = findKubeconfigFiles(config.kubeconfig); // a missing configured file fails here, early
  const cairn = createCairn(config, { logger, kubeconfig: files.length > 0 ? { files } : { sandbox: sandboxStarter(config, logger) } });
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

/** Starts the sandbox clusters, for when there is no kubeconfig; their kubeconfigs are read through the very same code path. */
function sandboxStarter(config: Config, logger: Logger): SandboxStarter {
  return async (started) => {
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
  };
}

main().catch(exitOnStartFailure);
