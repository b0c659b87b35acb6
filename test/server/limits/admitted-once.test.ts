/** admittedOnce: an admission is remembered per document, operation and variables; a refusal is checked again every time. */
import { parse, type ExecutionArgs } from 'graphql';
import { describe, expect, it } from 'vitest';
import { admittedOnce } from '../../../src/server/limits/admitted-once.js';

const args = (document: ReturnType<typeof parse>, variableValues?: Record<string, unknown>, operationName?: string) =>
  ({ document, variableValues, operationName }) as unknown as ExecutionArgs;

describe('admittedOnce', () => {
  it('checks each distinct operation once while it is admitted, and every refused one each time', () => {
    let checks = 0;
    const check = admittedOnce((a: ExecutionArgs) => {
      checks += 1;
      return (a.variableValues as { n?: number } | undefined)?.n === 13 ? ['too many'] : null;
    });
    const doc = parse('query Q($n: Int) { a(n: $n) }');
    expect(check(args(doc, { n: 1 }))).toBeNull();
    expect(check(args(doc, { n: 1 }))).toBeNull();
    expect(checks).toBe(1);
    expect(check(args(doc, { n: 2 }))).toBeNull(); // other variables
    expect(check(args(doc, { n: 1 }, 'Q'))).toBeNull(); // another operation name
    expect(check(args(parse('query Q($n: Int) { a(n: $n) }'), { n: 1 }))).toBeNull(); // another document (parsed again)
    expect(checks).toBe(4);
    expect(check(args(doc, { n: 13 }))).toEqual(['too many']);
    expect(check(args(doc, { n: 13 }))).toEqual(['too many']);
    expect(checks).toBe(6);
  });

  it('checks large variables every time and remembers a bounded number per document', () => {
    let checks = 0;
    const check = admittedOnce(() => ((checks += 1), null));
    const doc = parse('{ a }');
    const big = { text: 'x'.repeat(5_000) };
    check(args(doc, big));
    check(args(doc, big));
    expect(checks).toBe(2);
    for (let n = 0; n < 40; n++) check(args(doc, { n }));
    checks = 0;
    check(args(doc, { n: 0 })); // pushed out by the 32 after it
    check(args(doc, { n: 39 })); // still remembered
    expect(checks).toBe(1);
  });
});
