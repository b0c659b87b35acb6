/**
 * Prints the GraphQL schema to schema.graphql (sorted, so that diffs stay small).
 *   npm run schema          writes the file
 *   npm run schema:check    exits 1 when the file is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../src/schema/index.js';

export const SCHEMA_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../schema.graphql');

/** The schema as schema.graphql holds it. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

function readCurrent(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** `npm run schema` (writes `file`) or, with --check, whether `file` is up to date; returns the exit code. */
export function run(args: string[], file = SCHEMA_FILE, out: Pick<NodeJS.WriteStream, 'write'> = process.stdout, err = process.stderr): number {
  const printed = printedSchema();
  if (args.includes('--check')) {
    if (readCurrent(file) === printed) {
      out.write('schema.graphql is up to date\n');
      return 0;
    }
    err.write('schema.graphql is stale: it differs from the schema the code builds. Run `npm run schema` and commit the result.\n');
    return 1;
  }
  writeFileSync(file, printed);
  out.write(`wrote ${file}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = run(process.argv.slice(2));
}
