import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// graphql 16 ships both index.js (CJS) and index.mjs. Node (and so Pothos, yoga, graphql-ws in
// node_modules) loads the CJS build; make test files load that same instance, or graphql refuses
// types "from another module or realm".
const resolve = { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] };

const common = {
  testTimeout: 30_000,
  hookTimeout: 30_000,
  pool: 'forks' as const,
};

/**
 * The test files that need a module graph of their own (a fresh worker, `isolate: true`). Every other file runs in
 * a worker that has run other files before it (`isolate: false`): its modules are imported once per worker, not once
 * per file, which takes most of the run's time away. A file belongs here when it changes what other files share
 * (module-level state, process-wide settings) or needs it untouched; each entry says why. A file that fails in the
 * whole run but passes alone (`npx vitest run <file>`) probably belongs here.
 */
const ISOLATED = [
  // Registers the test-only `auditProbe` mutation before the schema is built: the schema (a module-level value)
  // must be built after it, and no other file may see the probe in its schema.
  'test/audit/recording.test.ts',
  'test/server/limits/abuse.test.ts',
  'test/sandbox/controllers/endpoints.test.ts',
];

export default defineConfig({
  resolve,
  test: {
    ...common,
    include: ['test/**/*.test.ts'],
    // One PostgreSQL cluster for the run, started when the first file asks for a database (test/pg/pg-database.ts).
    globalSetup: ['test/pg/shared-cluster-setup.ts'],
    // Two projects, one run: `vitest run` runs both, `vitest run <file>` finds the file in its project.
    projects: [
      {
        resolve,
        test: { ...common, name: 'shared', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...ISOLATED], isolate: false },
      },
      {
        resolve,
        test: { ...common, name: 'isolated', include: ISOLATED, isolate: true },
      },
    ],
  },
});
