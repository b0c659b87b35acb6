/** The console's operations (console/operations/*.graphql) are valid against cairn's schema, named, and one per file. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';
import { run } from '../../scripts/persist-operations.js';

const DIR = join(import.meta.dirname, '..', '..', 'console', 'operations');
const all = readdirSync(DIR).filter((f) => f.endsWith('.graphql'));
const read = (file: string) => readFileSync(join(DIR, file), 'utf8');
/** Files of fragments only (order-action.graphql): the console appends them to the operations that spread them. */
const fragmentFiles = all.filter((f) => parse(read(f)).definitions.every((d) => d.kind === Kind.FRAGMENT_DEFINITION));
const files = all.filter((f) => !fragmentFiles.includes(f));
/** An operation's file with the fragment files it spreads but does not define (as src/operations.ts sends it). */
const withFragments = (file: string) => {
  const text = read(file);
  const used = fragmentFiles.filter((f) => parse(read(f)).definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION && text.includes(`...${d.name.value}`)));
  return [text, ...used.map(read)].join('\n');
};

describe('the console\'s operations', () => {
  it('exist', () => {
    expect(files.length).toBeGreaterThanOrEqual(18);
  });

  it.each(files)('%s is one named operation, valid against the schema (with the fragment files it spreads)', (file) => {
    const document = parse(withFragments(file));
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
    for (const file of all) expect(source).toContain(`'../operations/${file}'`);
  });

  it('the order actions share their selection through fragments (order-action.graphql), sent with each action', () => {
    expect(fragmentFiles).toEqual(['order-action.graphql']);
    const spreading = files.filter((f) => read(f).includes('...OrderActionPayload'));
    expect(spreading.sort()).toEqual(['close-release-order.graphql', 'resume-release-order.graphql', 'retry-failed-instances.graphql', 'rollback-release-order.graphql', 'set-release-order-pause-mode.graphql']);
  });
});
