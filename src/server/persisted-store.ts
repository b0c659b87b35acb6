/**
 * The store of persisted operations (trusted documents): manifests that map the sha256 hash (hex) of
 * a GraphQL document to the document, `{ "<sha256>": "query … { … }" }` — the format
 * scripts/persist-operations.ts writes and graphql-codegen's client preset writes with
 * `persistedDocuments: { hashAlgorithm: 'sha256' }`. A path is a manifest file, or a folder whose
 * `*.persisted.json` files (also in its subfolders, node_modules aside) are manifests. Every
 * document must hash to its key, parse and validate against the schema; one that does not is
 * skipped with the reason (it would fail at use anyway). Documents are checked when first needed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DEFAULT_PERSISTED_PATHS } from '../config.js';

/**
 * Where cairn looks when CAIRN_PERSISTED_OPERATIONS is not set: the console's and the examples' folders
 * of cairn's own package (not of the working directory), when they hold manifests; else their copies in
 * dist/persisted/ (`npm run build` makes them; the Docker image carries only dist/). See defaultPersistedPaths.
 */
export { DEFAULT_PERSISTED_PATHS };

/** Where `npm run build:persisted` (scripts/copy-persisted.mjs) copies the manifests, under the package root. */
export const BUILT_PERSISTED_DIR = join('dist', 'persisted');

/** cairn's package root: the nearest folder above this file (src/server/, or dist/ and its chunks/ once built) with a package.json. */
export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** The default manifests' paths, absolute: the package's console/ and examples/ when they hold any, else its dist/persisted/. */
export function defaultPersistedPaths(root = packageRoot()): string[] {
  const sources = DEFAULT_PERSISTED_PATHS.map((p) => join(root, p));
  return sources.some((p) => manifestFiles(p).length > 0) ? sources : [join(root, BUILT_PERSISTED_DIR)];
}

/**
 * The configuration's default is this very array (config.ts: `.default(() => DEFAULT_PERSISTED_PATHS)`): an
 * explicit CAIRN_PERSISTED_OPERATIONS, even `console,examples`, is another array and is taken as given.
 */
const isDefault = (paths: readonly string[]) => paths === DEFAULT_PERSISTED_PATHS;

/** The manifest suffix looked for in folders. */
export const MANIFEST_SUFFIX = '.persisted.json';

/** How deep folders are searched for manifests. */
const MAX_DEPTH = 4;

export interface PersistedOperation {
  hash: string;
  document: string;
  ast: DocumentNode;
  /** The manifest it came from. */
  file: string;
}

export interface PersistedStore {
  get(hash: string): PersistedOperation | undefined;
  readonly size: number;
  /** The manifests read. */
  readonly files: readonly string[];
  /** What was skipped, and why (one line each); reading it (or `size`) checks every document not checked yet. */
  readonly skipped: readonly string[];
}

/** The sha256 of a document, as manifests key it (lowercase hex of its UTF-8 bytes). */
export const operationHash = (document: string): string => createHash('sha256').update(document, 'utf8').digest('hex');

const HASH = /^[0-9a-f]{64}$/;

/** The manifest files a path names (itself, or the `*.persisted.json` files under a folder). */
export function manifestFiles(path: string, depth = 0): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  if (depth >= MAX_DEPTH) return [];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? manifestFiles(join(path, e.name), depth + 1) : e.name.endsWith(MANIFEST_SUFFIX) ? [join(path, e.name)] : []));
}

/** One entry of a manifest, checked (hash, parse, validation) the first time it is needed. */
interface Entry {
  hash: string;
  file: string;
  value: unknown;
  /** Set once checked: the operation, or why it is skipped. */
  checked?: { op: PersistedOperation } | { skip: string };
}

/** Reads one manifest's entries; throws (naming the file) when it is not a manifest. Its documents are checked later (checkEntry). */
function readManifestEntries(file: string): Entry[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`persisted operations: ${file} is not JSON (${(error as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error(`persisted operations: ${file} must be a JSON object of sha256 hash → document`);
  return Object.entries(json).map(([hash, value]) => ({ hash, file, value }));
}

/** Checks an entry once: it must have a sha256 key, be a document that hashes to it, parse, and validate against the schema. */
function checkEntry(entry: Entry, schema: GraphQLSchema): NonNullable<Entry['checked']> {
  if (entry.checked) return entry.checked;
  const { hash, value: document, file } = entry;
  const skip = (why: string) => (entry.checked = { skip: `${file}: ${hash.slice(0, 16)}…: ${why}` });
  if (!HASH.test(hash)) return skip('the key is not a sha256 hash (64 lowercase hex digits)');
  if (typeof document !== 'string') return skip('the value is not a document (a string)');
  if (operationHash(document) !== hash) return skip('the document does not hash to its key');
  let ast: DocumentNode;
  try {
    ast = parse(document);
  } catch (error) {
    return skip(`does not parse: ${(error as Error).message}`);
  }
  const errors = validate(schema, ast);
  if (errors.length > 0) return skip(`does not validate: ${errors.map((e) => e.message).join(' ')}`);
  return (entry.checked = { op: { hash, document, ast, file } });
}

/**
 * The store of every manifest under `paths` (missing paths are ignored). The manifests are read now (one
 * that is not a manifest throws); each document is checked — hashed, parsed, validated against the schema —
 * when it is first asked for, or when `size` or `skipped` is read: validating them all took ~50 ms of a
 * start's CPU, before cairn could answer anything. The default paths (the configuration's default:
 * DEFAULT_PERSISTED_PATHS itself, not an equal list) are found from the package root, whatever the working
 * directory; paths an operator gives are taken as given (relative to the working directory), even when they
 * read `console,examples`.
 */
export function loadPersistedStore(paths: readonly string[], schema: GraphQLSchema): PersistedStore {
  const files = [...new Set((isDefault(paths) ? defaultPersistedPaths() : paths).flatMap((p) => manifestFiles(p)))];
  const entries = files.flatMap((file) => readManifestEntries(file));
  const byHash = new Map<string, Entry[]>();
  for (const entry of entries) byHash.set(entry.hash, [...(byHash.get(entry.hash) ?? []), entry]);
  /** The operation under a hash: of the entries with that key, the last that checks out (a later manifest wins). */
  const get = (hash: string): PersistedOperation | undefined => {
    let found: PersistedOperation | undefined;
    for (const entry of byHash.get(hash) ?? []) {
      const checked = checkEntry(entry, schema);
      if ('op' in checked) found = checked.op;
    }
    return found;
  };
  return {
    get,
    get size() {
      return [...byHash.keys()].filter((hash) => get(hash) !== undefined).length;
    },
    files,
    get skipped() {
      return entries.map((entry) => checkEntry(entry, schema)).flatMap((checked) => ('skip' in checked ? [checked.skip] : []));
    },
  };
}
