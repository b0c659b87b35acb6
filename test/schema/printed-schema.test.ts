import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { printedSchema, run, SCHEMA_FILE } from '../../scripts/print-schema.js';

describe('schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` when this fails)', () => {
    const onDisk = readFileSync(SCHEMA_FILE, 'utf8');
    // A plain equality check: a diff of the whole schema is noise; the message says what to do.
    expect(onDisk === printedSchema(), 'schema.graphql is stale: run `npm run schema` and commit it').toBe(true);
  });
});

describe('npm run schema / schema:check', () => {
  const sink = () => {
    const written: string[] = [];
    return { written, write: (text: string) => written.push(text) > 0 };
  };

  it('--check exits 1 with a clear message when the file is stale, 0 once it is rewritten', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cairn-schema-')), 'schema.graphql');
    writeFileSync(file, 'type Query { stale: Boolean }\n');
    const out = sink();
    const err = sink();
    expect(run(['--check'], file, out as never, err as never)).toBe(1);
    expect(err.written.join('')).toMatch(/schema\.graphql is stale.*npm run schema/);

    expect(run([], file, out as never, err as never)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(printedSchema());
    expect(run(['--check'], file, out as never, err as never)).toBe(0);
    expect(out.written.at(-1)).toBe('schema.graphql is up to date\n');
  });

  it('--check fails when the file does not exist', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cairn-schema-')), 'schema.graphql');
    expect(run(['--check'], file, sink() as never, sink() as never)).toBe(1);
  });
});
