/**
 * The folders of src/ and which folders each may import: dependencies point one way,
 *
 *   server → schema → usecases → engine → live → kube → domain
 *
 * with db, secrets and auth below the use cases (db → domain; secrets and auth → db), the audit
 * trail below the schema, and config.ts (typed configuration) below everything. Composition roots
 * (main.ts, app.ts and its app-deps.ts) may import anything; they alone, and tests, reach sandbox/ (the simulated
 * clusters). Pure functions over a list of imports, so that the rules themselves are tested.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** Everything: a composition root. */
export const ANY = '*';

/** Which folders (or root files, named without `.ts`) each may import, besides itself. */
export const ALLOWED: Record<string, readonly string[] | typeof ANY> = {
  main: ANY,
  app: ANY,
  'app-deps': ANY,
  cli: ['usecases', 'auth', 'secrets', 'db', 'domain', 'config'],
  server: ['schema', 'usecases', 'engine', 'live', 'kube', 'audit', 'auth', 'secrets', 'db', 'domain', 'config', 'observability'],
  schema: ['usecases', 'engine', 'live', 'kube', 'audit', 'auth', 'secrets', 'db', 'domain', 'config'],
  usecases: ['engine', 'live', 'kube', 'audit', 'auth', 'secrets', 'db', 'domain', 'config'],
  engine: ['live', 'kube', 'db', 'domain', 'config'],
  audit: ['live', 'auth', 'db', 'domain', 'config'],
  /** Metrics and traces: watches the engine, live status and the clusters through their observer hooks. */
  observability: ['engine', 'live', 'kube', 'db', 'domain', 'config'],
  live: ['kube', 'db', 'domain', 'config'],
  kube: ['domain', 'config'],
  auth: ['db', 'domain', 'config'],
  secrets: ['db', 'domain', 'config'],
  db: ['domain', 'config'],
  domain: [],
  config: [],
  sandbox: [],
};

/** The folders that only composition roots (and tests) may import. */
export const ROOTS_ONLY = ['sandbox'];

/** One import of one file of src/. */
export interface Import {
  /** The importing file, relative to the repository (src/…). */
  file: string;
  /** The module as written. */
  specifier: string;
  from: string;
  to: string;
}

/** The folder a file of src/ belongs to: its first directory, or a root file's name without `.ts`. */
export function folderOf(pathInSrc: string): string {
  const parts = pathInSrc.split(/[\\/]/);
  return parts.length === 1 ? parts[0]!.replace(/\.(ts|js)$/, '') : parts[0]!;
}

/** Every `.ts` file under `dir`, recursively. */
function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The imports between folders of `srcDir`: every `import … from`, `export … from`, `import type`,
 * side-effect `import '…'` and dynamic `import('…')` of a relative module, as TypeScript reads them.
 */
export function folderImports(srcDir: string): Import[] {
  const root = resolve(srcDir);
  return tsFiles(root).flatMap((path) => {
    const from = folderOf(relative(root, path));
    const { importedFiles } = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
    return importedFiles
      .filter((f) => f.fileName.startsWith('.'))
      .map((f) => {
        const target = relative(root, resolve(dirname(path), f.fileName));
        const to = target.startsWith('..') ? '(outside src)' : folderOf(target);
        return { file: relative(resolve(root, '..'), path).split(sep).join('/'), specifier: f.fileName, from, to };
      })
      .filter((i) => i.from !== i.to);
  });
}

/** What the table forbids: an unknown folder, a folder importing one it may not, sandbox/ outside the roots. */
export function violations(imports: readonly Import[], allowed: Record<string, readonly string[] | typeof ANY> = ALLOWED): string[] {
  const problems: string[] = [];
  for (const i of imports) {
    const rule = allowed[i.from];
    const line = `${i.file} imports '${i.specifier}' (${i.from} → ${i.to})`;
    if (rule === undefined) problems.push(`${line}: the folder "${i.from}" is not in the layering table (test/architecture/layering.ts)`);
    else if (allowed[i.to] === undefined) problems.push(`${line}: the folder "${i.to}" is not in the layering table (test/architecture/layering.ts)`);
    else if (ROOTS_ONLY.includes(i.to) && rule !== ANY) problems.push(`${line}: only main.ts and app.ts (and tests) may import ${i.to}/`);
    else if (rule !== ANY && !rule.includes(i.to)) problems.push(`${line}: ${i.from} may import only ${rule.length ? rule.join(', ') : 'itself'}`);
  }
  return problems;
}

/** Every cycle among folders (one per strongly connected component of two or more), each with one import per step. */
export function cycles(imports: readonly Import[]): string[] {
  const edges = new Map<string, Map<string, Import>>();
  for (const i of imports) {
    if (!edges.has(i.from)) edges.set(i.from, new Map());
    if (!edges.get(i.from)!.has(i.to)) edges.get(i.from)!.set(i.to, i);
  }
  // Tarjan's strongly connected components.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop()!; ; w = stack.pop()!) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of [...edges.keys()].sort()) if (!index.has(v)) visit(v);
  return components.map((component) => {
    const members = new Set(component);
    // The shortest way round the cycle through its first folder (breadth-first inside the component).
    const start = [...component].sort()[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0 && !cameFrom.has(start)) {
      const at = queue.shift()!;
      for (const next of [...(edges.get(at)?.keys() ?? [])].sort()) {
        if (!members.has(next) || cameFrom.has(next)) continue;
        cameFrom.set(next, at);
        queue.push(next);
      }
    }
    const path = [start];
    for (let at = cameFrom.get(start)!; at !== start; at = cameFrom.get(at)!) path.unshift(at);
    path.unshift(start);
    const steps = path.slice(1).map((to, k) => edges.get(path[k]!)!.get(to)!);
    return `${path.join(' → ')}: ${steps.map((s) => `${s.file} imports '${s.specifier}'`).join('; ')}`;
  });
}
