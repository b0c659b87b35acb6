/** The console's operations (console/operations/*.graphql) are valid against cairn's schema, named, and one per file. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

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

  it('every operation is sent by the console', () => {
    const source = readFileSync(join(DIR, '..', 'src', 'operations.ts'), 'utf8');
    for (const file of files) expect(source).toContain(`'../operations/${file}'`);
  });
});
