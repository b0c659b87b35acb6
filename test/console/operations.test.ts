/** The console's operations (console/operations/*.graphql) are valid against cairn's schema, named, and one per file. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { run } from '../../scripts/persist-operations.js';

const DIR = join(import.meta.dirname, '..', '..', 'console', 'operations');
const files = readdirSync(DIR).filter((f) => f.endsWith('.graphql'));

describe('the console\'s operations', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it.each(files)('%s is one named operation, valid against the schema', (file) => {
    const document = parse(readFileSync(join(DIR, file), 'utf8'));
    const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0]!.name?.value).toBeTruthy();
    expect(validate(schema, document).map((e) => e.message)).toEqual([]);
  });

  it('the console\'s manifest of persisted operations (console/operations.persisted.json) is up to date', () => {
    let errors = '';
    const code = run([DIR, join(DIR, '..', 'operations.persisted.json'), '--check'], { write: () => true }, { write: (text: string) => ((errors += text), true) });
    expect(errors).toBe('');
    expect(code).toBe(0);
  });

  it('every operation is sent by the console', () => {
    const source = readFileSync(join(DIR, '..', 'src', 'operations.ts'), 'utf8');
    for (const file of files) expect(source).toContain(`'../operations/${file}'`);
  });
});
