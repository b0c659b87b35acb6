import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../../src/server/limits/json-depth.js';

const deeper = (text: string, max: number) => nestsDeeperThan(Buffer.from(text), max);

describe('nestsDeeperThan', () => {
  it.each([
    ['[]', 1, false],
    ['[[]]', 1, true],
    ['{"a":{"b":[1,2,{"c":3}]}}', 4, false],
    ['{"a":{"b":[1,2,{"c":3}]}}', 3, true],
    ['["[[[[", "{{{{"]', 1, false],
    ['["\\"[[[["]', 1, false],
    ['[[],[],[],[]]', 2, false],
    ['[[[', 2, true],
  ] as const)('%s, at most %i deep: %s', (text, max, expected) => {
    expect(deeper(text, max)).toBe(expected);
  });
});
