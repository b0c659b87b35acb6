import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
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
 * a worker that has run other files before it (`isolate: false`, GROUPS below): its modules are imported once per
 * worker, not once per file, which takes most of the run's time away. A file belongs here when it changes what other
 * files share (module-level state, process-wide settings) or needs it untouched; each entry says why. A file that
 * fails in the whole run but passes alone (`npx vitest run <file>`) probably belongs here.
 */
const ISOLATED = [
  // Registers the test-only `auditProbe` mutation before the schema is built: the schema (a module-level value)
  // must be built after it, and no other file may see the probe in its schema.
  'test/audit/recording.test.ts',
  // These two failed in an earlier whole run without isolation and pass alone; the shared state they meet is not
  // pinned down (they passed without isolation after test/sandbox/controllers and test/server/limits).
  'test/server/limits/abuse.test.ts',
  'test/sandbox/controllers/endpoints.test.ts',
  // Counts the statements of two requests in a row, the second served by the token cache, which keeps a read for 1 s
  // (src/auth/cached-token-reads.ts): a first request slowed past 1 s (a worker collecting the garbage of earlier files)
  // makes the second read the token again. It failed so in both full runs without isolation; it passes alone.
  'test/schema/console-statements.test.ts',
];

/**
 * The other files, in workers that run many files each (`isolate: false`), one worker per group: a worker keeps what
 * every file it ran left in memory (its modules, the files' top-level values), so a single worker for all of them grows
 * to gigabytes and spends its time collecting garbage. Each group is one project; a file in no group is in `rest`.
 */
const GROUPS: Record<string, string[]> = {
  processes: ['e2e', 'examples', 'docs', 'console', 'cli', 'config', 'deploy', 'architecture'].map((d) => `test/${d}/**/*.test.ts`),
  databases: ['engine', 'db', 'pg', 'usecases', 'secrets'].map((d) => `test/${d}/**/*.test.ts`),
  sandbox: ['test/sandbox/**/*.test.ts'],
  server: ['server', 'schema', 'auth', 'audit', 'observability', 'domain'].map((d) => `test/${d}/**/*.test.ts`),
};
const grouped = Object.values(GROUPS).flat();

const project = (name: string, test: { include: string[]; exclude?: string[]; isolate: boolean }) => ({
  resolve,
  test: { ...common, name, ...test, exclude: [...configDefaults.exclude, ...(test.exclude ?? [])] },
});

export default defineConfig({
  resolve,
  test: {
    ...common,
    include: ['test/**/*.test.ts'],
    // Two files at a time at least, even on 2 cores (vitest's default there is one): most files spend their time
    // waiting (child processes, timers, PostgreSQL, sockets), a run with one worker used 0.7 of a core.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // One PostgreSQL cluster for the run, started when the first file asks for a database (test/pg/pg-database.ts).
    globalSetup: ['test/pg/shared-cluster-setup.ts'],
    // One run of every project: `vitest run` runs them all, `vitest run <file>` finds the file in its project.
    projects: [
      ...Object.entries(GROUPS).map(([name, include]) => project(name, { include, exclude: ISOLATED, isolate: false })),
      project('rest', { include: ['test/**/*.test.ts'], exclude: [...grouped, ...ISOLATED], isolate: false }),
      project('isolated', { include: ISOLATED, isolate: true }),
    ],
  },
});
