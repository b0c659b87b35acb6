/** What the test harnesses and benches give `createCairn` (src/app.ts): a test configuration, fake clusters' kubeconfigs. */
import { type Config, loadConfig } from '../../src/config.js';
import type { KubeconfigSource } from '../../src/kube/kubeconfig.js';
import type { ReachabilityCheck } from '../../src/kube/reachability.js';
import { randomKey } from '../../src/secrets/cipher.js';
import { kubeconfigText } from '../kube/fake-api-server.js';

/**
 * cairn's configuration for a test: port 0, an in-memory database and a fresh secret key in the configuration
 * (so that nothing is written next to the database), then `overrides`.
 */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return loadConfig({}, { port: 0, databasePath: ':memory:', secretKey: randomKey().toString('base64'), ...overrides });
}

/** Every cluster answers its reachability check: the test decides what the clusters do, not the checks. */
export const alwaysReachable: ReachabilityCheck = async () => ({ reachable: true, error: null });

/** One kubeconfig document naming `names`, every cluster served by the API server at `url` (loopback, a test's token). */
export function clusterSources(names: readonly string[], url: string, token = 'not-a-secret'): KubeconfigSource[] {
  return [{ text: kubeconfigText(names.map((name) => ({ name, server: url, token }))), origin: 'test', sandbox: false }];
}
