/** The examples' operations ship as persisted operations, built from examples/operations by scripts/persist-operations.ts. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../scripts/persist-operations.js';
import { ROOT } from './setup.js';

describe('examples/operations.persisted.json', () => {
  it('is what scripts/persist-operations.ts builds from examples/operations today (npm run examples:codegen)', () => {
    let out = '';
    let err = '';
    const code = run(
      [join(ROOT, 'examples/operations'), join(ROOT, 'examples/operations.persisted.json'), '--ids', join(ROOT, 'examples/operations.ids.json'), '--check'],
      { write: (s: string) => ((out += s), true) },
      { write: (s: string) => ((err += s), true) },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/up to date \(7 operations\)/);
  });
});
