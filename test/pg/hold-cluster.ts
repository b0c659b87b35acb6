/**
 * For test/pg/pg-cluster.test.ts: starts a throwaway PostgreSQL, prints its URL as one JSON line, and waits
 * (never calling stop()) until it is signalled, as a vitest worker stopped with SIGTERM would be.
 */
import { startPgCluster } from './pg-cluster.js';

const cluster = await startPgCluster();
process.stdout.write(`${JSON.stringify({ url: cluster.url, port: cluster.port })}\n`);
setInterval(() => undefined, 60_000);
