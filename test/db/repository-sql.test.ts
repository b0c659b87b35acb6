/**
 * The repositories run on SQLite and PostgreSQL with the same code (src/db/database.ts), so they may use only what
 * drizzle's two builders share, awaited: never SQLite's synchronous `.get()`, `.all()`, `.run()` or `.prepare()`,
 * and never a table imported from a table module (a SQLite table would then be queried on PostgreSQL): tables come
 * from `d.t`. Types, and constants that are not tables, may be imported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { is, Table } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';

const DB = resolve(import.meta.dirname, '../../src/db');

/** The modules that define tables: a repository must not take a table from them. */
const TABLE_MODULE = /^\.\/(?:(?:pg\/)?[\w-]*tables?|pg\/[\w-]+)\.js$/;

/** What is wrong with one repository's source; `tablesOf(module)` lists the names of the tables a module exports. */
function problemsOf(source: string, tablesOf: (module: string) => Set<string>): string[] {
  const problems: string[] = [];
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1'); // comments may name them
  for (const call of ['get', 'all', 'run', 'prepare']) {
    if (new RegExp(`\\.${call}\\s*\\(`).test(code)) problems.push(`uses .${call}( (SQLite only: await the builder instead)`);
  }
  for (const m of code.matchAll(/import\s+(type\s+)?([\s\S]*?)\s+from\s+['"]([^'"]+)['"]/g)) {
    const [, typeOnly, clause, module] = m as unknown as [string, string | undefined, string, string];
    if (typeOnly || !TABLE_MODULE.test(module)) continue;
    if (/\*\s+as\s+/.test(clause)) {
      problems.push(`imports every export of ${module} (take tables from d.t)`);
      continue;
    }
    const tables = tablesOf(module);
    const names = (clause.match(/\{([\s\S]*)\}/)?.[1] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n && !n.startsWith('type '))
      .map((n) => n.split(/\s+as\s+/)[0]!.trim());
    const defaultName = clause.match(/^\s*([A-Za-z_$][\w$]*)\s*(,|$)/)?.[1];
    if (defaultName) problems.push(`imports the default export of ${module}`);
    for (const name of names) if (tables.has(name)) problems.push(`imports the table ${name} from ${module} (take it from d.t)`);
  }
  return problems;
}

const tableNames = new Map<string, Set<string>>();
async function loadTables(module: string): Promise<Set<string>> {
  const exports = (await import(join(DB, module.replace(/\.js$/, '.ts')))) as Record<string, unknown>;
  return new Set(Object.entries(exports).filter(([, v]) => is(v, Table)).map(([k]) => k));
}

const repositories = readdirSync(DB).filter((f) => f.endsWith('-repository.ts'));

describe('repository SQL', () => {
  it('finds the repositories', () => {
    expect(repositories).toEqual(expect.arrayContaining(['apps-repository.ts', 'audit-repository.ts', 'configs-repository.ts', 'releases-repository.ts', 'templates-repository.ts', 'tokens-repository.ts']));
  });

  it.each(repositories)('%s uses only awaited builders, and tables from d.t', async (file) => {
    const source = readFileSync(join(DB, file), 'utf8');
    for (const m of source.matchAll(/from\s+['"]([^'"]+)['"]/g)) if (TABLE_MODULE.test(m[1]!) && !tableNames.has(m[1]!)) tableNames.set(m[1]!, await loadTables(m[1]!));
    expect(problemsOf(source, (module) => tableNames.get(module) ?? new Set())).toEqual([]);
  });

  it('the check catches each kind of misuse, and lets types and constants through', async () => {
    const tables = (module: string) => (module === './tables.js' ? new Set(['apps', 'environments']) : new Set(['releaseOrders']));
    const ok = `import type { AppRow } from './tables.js';\nimport { ACTIVE_STATES, type ReleaseOrderRow } from './release-tables.js';\n// .get( in a comment\nconst rows = await db.select().from(d.t.apps);`;
    expect(problemsOf(ok, tables)).toEqual([]);
    expect(problemsOf('const row = db.select().from(apps).get();', tables)).toEqual(['uses .get( (SQLite only: await the builder instead)']);
    expect(problemsOf('db.select().from(apps).all ()', tables)).toEqual(['uses .all( (SQLite only: await the builder instead)']);
    expect(problemsOf('db.insert(apps).values(v).run();', tables)).toEqual(['uses .run( (SQLite only: await the builder instead)']);
    expect(problemsOf('db.select().from(apps).prepare();', tables)).toEqual(['uses .prepare( (SQLite only: await the builder instead)']);
    expect(problemsOf("import { apps, type AppRow } from './tables.js';", tables)).toEqual(['imports the table apps from ./tables.js (take it from d.t)']);
    expect(problemsOf("import {\n  ACTIVE_STATES,\n  releaseOrders as orders,\n} from './release-tables.js';", tables)).toEqual(['imports the table releaseOrders from ./release-tables.js (take it from d.t)']);
    expect(problemsOf("import * as tables from './tables.js';", tables)).toEqual(['imports every export of ./tables.js (take tables from d.t)']);
    expect(problemsOf("import { apps } from './pg/tables.js';", () => new Set(['apps']))).toEqual(['imports the table apps from ./pg/tables.js (take it from d.t)']);
    // The real table modules are read as such.
    expect([...(await loadTables('./tables.js'))]).toEqual(expect.arrayContaining(['apps', 'deploymentConfigs', 'environments', 'templates', 'releaseOrders']));
    expect(await loadTables('./release-tables.js')).toEqual(new Set(['revisions', 'releaseOrders', 'orderTransitions', 'instanceFailures']));
  });
});
