/**
 * Where the default persisted-operation manifests are found (src/server/persisted-store.ts): from
 * cairn's package root, never the working directory — the package's console/ and examples/ when they
 * hold manifests (a clone), else dist/persisted/ (what `npm run build:persisted` copies; the Docker
 * image carries only dist/). The copy step itself: scripts/copy-persisted.mjs, run here on a temporary package.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_PERSISTED_PATHS, defaultPersistedPaths, loadPersistedStore, packageRoot } from '../../src/server/persisted-store.js';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const temp = mkdtempSync(join(tmpdir(), 'cairn-persisted-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A package folder with a package.json and the given files. */
function fakePackage(name: string, files: Record<string, string>): string {
  const root = join(temp, name);
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'package.json'), '{"name":"cairn"}');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('the default persisted-operation manifests', () => {
  it('are found from the package root: this repository, whatever the working directory', () => {
    expect(packageRoot()).toBe(ROOT);
    expect(packageRoot(join(ROOT, 'dist', 'chunks'))).toBe(ROOT);
    expect(defaultPersistedPaths()).toEqual([join(ROOT, 'console'), join(ROOT, 'examples')]);
    const store = loadPersistedStore(DEFAULT_PERSISTED_PATHS, schema);
    expect(store.files).toEqual([join(ROOT, 'console', 'operations.persisted.json'), join(ROOT, 'examples', 'operations.persisted.json')]);
    expect(store.size).toBeGreaterThan(0);
    expect(store.skipped).toEqual([]);
  });

  it('are dist/persisted/ when the package has no console/ or examples/ manifests (the image), and the build copies them there', async () => {
    const built = fakePackage('built', { 'dist/main.js': '' });
    expect(defaultPersistedPaths(built)).toEqual([join(built, 'dist', 'persisted')]);

    // scripts/copy-persisted.mjs on a package with both folders: copies each manifest, keeping its path.
    const clone = fakePackage('clone', { 'console/readme.txt': 'not a manifest', 'examples/node/x.txt': '' });
    copyFileSync(join(ROOT, 'console', 'operations.persisted.json'), join(clone, 'console', 'operations.persisted.json'));
    copyFileSync(join(ROOT, 'examples', 'operations.persisted.json'), join(clone, 'examples', 'node', 'more.persisted.json'));
    mkdirSync(join(clone, 'scripts'));
    copyFileSync(join(ROOT, 'scripts', 'copy-persisted.mjs'), join(clone, 'scripts', 'copy-persisted.mjs'));
    const { stdout } = await run(process.execPath, [join(clone, 'scripts', 'copy-persisted.mjs')], { cwd: temp, timeout: 30_000 });
    expect(stdout).toContain('2 manifest(s)');
    for (const path of ['console/operations.persisted.json', 'examples/node/more.persisted.json'])
      expect(readFileSync(join(clone, 'dist', 'persisted', path), 'utf8')).toBe(readFileSync(join(clone, path), 'utf8'));
    expect(existsSync(join(clone, 'dist', 'persisted', 'console', 'readme.txt'))).toBe(false);
  });

  it('paths an operator gives are taken as given (relative to the working directory)', () => {
    expect(loadPersistedStore(['no-such-folder'], schema).files).toEqual([]);
    expect(loadPersistedStore([join(ROOT, 'console')], schema).files).toEqual([join(ROOT, 'console', 'operations.persisted.json')]);
  });

  it('an explicit CAIRN_PERSISTED_OPERATIONS equal to the default is still taken as given (relative to the working directory)', () => {
    expect(process.cwd()).toBe(ROOT);
    const explicit = loadConfig({ CAIRN_PERSISTED_OPERATIONS: 'console,examples' }).persistedOperations;
    expect(explicit).toEqual(DEFAULT_PERSISTED_PATHS);
    expect(loadPersistedStore(explicit, schema).files).toEqual([join('console', 'operations.persisted.json'), join('examples', 'operations.persisted.json')]);
    // Not set: the default, found from the package root.
    expect(loadPersistedStore(loadConfig({}).persistedOperations, schema).files).toEqual([join(ROOT, 'console', 'operations.persisted.json'), join(ROOT, 'examples', 'operations.persisted.json')]);
  });
});
