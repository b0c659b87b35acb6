import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { withoutHttpExtensions } from '../../../src/server/limits/ws-result.js';

describe('withoutHttpExtensions', () => {
  it('drops extensions.http from every error and keeps the rest; results without errors pass unchanged', () => {
    const data = { data: { a: 1 } };
    expect(withoutHttpExtensions(data)).toBe(data);
    const result = withoutHttpExtensions({
      data: null,
      errors: [
        new GraphQLError('slow down', { extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3, http: { status: 429, headers: { 'Retry-After': '3' } } } }),
        new GraphQLError('only http', { extensions: { http: { status: 400 } }, path: ['a'] }),
        new GraphQLError('plain'),
      ],
    });
    expect(result).toEqual({
      data: null,
      errors: [
        { message: 'slow down', extensions: { code: 'RATE_LIMITED', retryAfterSeconds: 3 } },
        { message: 'only http', path: ['a'] },
        { message: 'plain' },
      ],
    });
    expect(JSON.stringify(result)).not.toContain('429');
  });
});
