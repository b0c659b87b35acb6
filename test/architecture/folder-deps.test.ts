import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALLOWED, cycles, folderImports, folderOf, violations, type Import } from './layering.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

const imp = (from: string, to: string): Import => ({ file: `src/${from}/a.ts`, specifier: `../${to}/b.js`, from, to });

describe('folder dependencies of src/', () => {
  const imports = folderImports(SRC);

  it('reads the imports of src/ (a sanity check of the parser)', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports).toContainEqual(expect.objectContaining({ file: 'src/schema/app-mutations.ts', from: 'schema', to: 'usecases' }));
  });

  it('follow the layering table: no folder imports one it may not, and only the composition roots import sandbox/', () => {
    expect(violations(imports)).toEqual([]);
  });

  it('form no cycle', () => {
    expect(cycles(imports)).toEqual([]);
  });
});

describe('the layering rules', () => {
  it('name a root file by its name and any other file by its first folder', () => {
    expect(folderOf('main.ts')).toBe('main');
    expect(folderOf('kube/render/names.ts')).toBe('kube');
  });

  it('name the file and the import that goes the wrong way', () => {
    expect(violations([imp('audit', 'schema')])).toEqual([
      "src/audit/a.ts imports '../schema/b.js' (audit → schema): audit may import only live, auth, db, domain, config",
    ]);
    expect(violations([imp('domain', 'kube')])[0]).toContain('domain may import only itself');
    expect(violations([imp('engine', 'db'), imp('schema', 'usecases')])).toEqual([]);
  });

  it('let only main.ts and app.ts import sandbox/', () => {
    expect(violations([imp('main', 'sandbox'), imp('app', 'sandbox')])).toEqual([]);
    expect(violations([imp('server', 'sandbox')])[0]).toContain('only main.ts and app.ts (and tests) may import sandbox/');
  });

  it('refuse a folder the table does not know', () => {
    expect(violations([imp('newfolder', 'domain')])[0]).toContain('the folder "newfolder" is not in the layering table');
  });

  it('find a cycle, however long, and name an import of each step', () => {
    expect(cycles([imp('db', 'secrets'), imp('secrets', 'db'), imp('db', 'domain')])).toEqual([
      "db → secrets → db: src/db/a.ts imports '../secrets/b.js'; src/secrets/a.ts imports '../db/b.js'",
    ]);
    expect(cycles([imp('a', 'b'), imp('b', 'c'), imp('c', 'a')])).toEqual([
      "a → b → c → a: src/a/a.ts imports '../b/b.js'; src/b/a.ts imports '../c/b.js'; src/c/a.ts imports '../a/b.js'",
    ]);
    // One component with two ways round: the shortest is shown, once.
    expect(cycles([imp('a', 'c'), imp('c', 'b'), imp('a', 'b'), imp('b', 'a')])).toEqual([
      "a → b → a: src/a/a.ts imports '../b/b.js'; src/b/a.ts imports '../a/b.js'",
    ]);
    expect(cycles([imp('a', 'b'), imp('b', 'c')])).toEqual([]);
  });

  it('allow no cycle in the table itself: it is a one-way layering', () => {
    const tableImports = Object.entries(ALLOWED).flatMap(([from, to]) => (to === '*' ? [] : to.map((t) => imp(from, t))));
    expect(cycles(tableImports)).toEqual([]);
  });
});
