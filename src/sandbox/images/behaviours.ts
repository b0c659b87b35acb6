import type { Behaviour } from './types.js';

/**
 * Failure tags: every catalog image answers to these tags besides its own, each failing one way.
 * Any other tag the image does not list does not exist in the registry (pull fails: not found).
 */
export const failureTags: Record<string, Behaviour> = {
  /** Exits 1 right after start-up logs: CrashLoopBackOff. */
  crash: {
    exitAfterMs: 1_500,
    exitCode: 1,
    exitLogs: ['FATAL: unable to start: required configuration "DATABASE_URL" is missing', 'Process exited with status 1'],
  },
  /** Runs and serves normally for a while, then exits 1. */
  'crash-later': {
    exitAfterMs: 45_000,
    exitCode: 1,
    exitLogs: ['ERROR: unrecoverable error: connection pool exhausted, giving up', 'Process exited with status 1'],
  },
  /** Listens, but its health endpoints answer 503 forever. */
  'never-ready': { neverReady: true },
  /** Takes 90 s to listen: a liveness probe without a start-up probe kills it. */
  'slow-start': { startupMs: 90_000 },
  /** Working set grows 64 MiB/s without bound: OOMKilled under any memory limit. */
  'memory-hungry': { memoryGrowthMiPerSec: 64 },
  /**
   * Loses a start-up lock race: the first pod of a namespace that runs this image (in the cluster)
   * exits 1 on every start, before it listens — CrashLoopBackOff for good; every pod that starts the
   * image after it runs normally. Deleting that pod (what a retry of failed instances does) cures it:
   * its replacement is a later pod. The node agent keeps who was first (see `../node/first-pods.ts`).
   */
  flaky: {
    exitAfterMs: 200,
    exitCode: 1,
    firstPodOnly: true,
    exitLogs: ['ERROR: failed to acquire startup lock (another instance holds it); exiting'],
  },
};
