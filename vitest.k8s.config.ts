/**
 * `npm run test:k8s`: the end-to-end release tests (test/e2e) against real Kubernetes control
 * planes (scripts/real-cluster/) instead of sandbox clusters, and test/k8s (cairn in-cluster with
 * deploy/'s RBAC). One file at a time: the files share
 * the control planes, and each runs its own simulated nodes on them.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    // test/k8s/*.k8s.ts run only here: deploy/'s RBAC on a real API server, and the Dockerfile followed
    // without a container engine (a whole npm ci: minutes).
    include: ['test/e2e/**/*.test.ts', 'test/k8s/**/*.k8s.ts'],
    // One project (the base's split into shared and isolated workers is for `npm test`); its own globalSetup, so
    // the PostgreSQL test here (test/e2e/replicas.test.ts) starts a cluster of its own (test/pg/pg-database.ts).
    projects: undefined,
    globalSetup: ['test/e2e/real-cluster-setup.ts'],
    env: { CAIRN_E2E_CLUSTER: 'real' },
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
