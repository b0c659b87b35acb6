/**
 * Builds a manifest of persisted operations from a folder of `.graphql` files (searched recursively),
 * for the server to load (CAIRN_PERSISTED_OPERATIONS; by default it reads every `*.persisted.json`
 * under console/ and examples/):
 *
 *   npx tsx scripts/persist-operations.ts <folder> <out.persisted.json> [--ids <ids.json>] [--check]
 *
 * The manifest maps each operation's sha256 to its document (the operation and the fragments it
 * uses, printed by graphql-js). `--ids` also writes operation name → sha256, what a client sends as
 * `extensions.persistedQuery.sha256Hash`. `--check` writes nothing and exits 1 when the files are
 * stale. Every operation must be named and valid against the schema.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { schema } from '../src/schema/index.js';
import { buildManifest, type SourceFile } from '../src/server/persisted-manifest.js';

function graphqlFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.startsWith('.'))
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? graphqlFiles(join(folder, e.name)) : e.name.endsWith('.graphql') || e.name.endsWith('.gql') ? [join(folder, e.name)] : []));
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Runs the command; returns the exit code. */
export function run(args: string[], out: Pick<NodeJS.WriteStream, 'write'> = process.stdout, err: Pick<NodeJS.WriteStream, 'write'> = process.stderr): number {
  const check = args.includes('--check');
  const idsAt = args.indexOf('--ids');
  const idsFile = idsAt >= 0 ? args[idsAt + 1] : undefined;
  const positional = args.filter((a, i) => !a.startsWith('--') && !(idsAt >= 0 && i === idsAt + 1));
  const [folder, outFile] = positional;
  if (!folder || !outFile || (idsAt >= 0 && !idsFile)) {
    err.write('usage: persist-operations <folder of .graphql files> <out.persisted.json> [--ids <ids.json>] [--check]\n');
    return 2;
  }
  const sources: SourceFile[] = graphqlFiles(folder).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  if (sources.length === 0) {
    err.write(`no .graphql files under ${folder}\n`);
    return 1;
  }
  let built;
  try {
    built = buildManifest(sources, schema);
  } catch (error) {
    err.write(`${(error as Error).message}\n`);
    return 1;
  }
  const outputs: Array<[string, string]> = [[outFile, json(built.manifest)], ...(idsFile ? [[idsFile, json(built.ids)] as [string, string]] : [])];
  if (check) {
    const stale = outputs.filter(([file, text]) => readOrNull(file) !== text).map(([file]) => file);
    if (stale.length > 0) {
      err.write(`stale: ${stale.join(', ')} — run scripts/persist-operations.ts ${folder} ${outFile}${idsFile ? ` --ids ${idsFile}` : ''} and commit the result\n`);
      return 1;
    }
    out.write(`${outFile} is up to date (${Object.keys(built.ids).length} operations)\n`);
    return 0;
  }
  for (const [file, text] of outputs) writeFileSync(file, text);
  out.write(`wrote ${outFile} (${Object.keys(built.ids).length} operations)${idsFile ? ` and ${idsFile}` : ''}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = run(process.argv.slice(2));
}
