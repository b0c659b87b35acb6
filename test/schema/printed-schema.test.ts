import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from '../../scripts/print-schema.js';

describe('schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` when this fails)', () => {
    const onDisk = readFileSync(SCHEMA_FILE, 'utf8');
    // A plain equality check: a diff of the whole schema is noise; the message says what to do.
    expect(onDisk === printedSchema(), 'schema.graphql is stale: run `npm run schema` and commit it').toBe(true);
  });
});
