import { wrapErrorIfMatches } from '@pothos/plugin-errors';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { outcomeOfError, outcomeOfResult } from '../../src/audit/outcome.js';
import { NotAllowedError, NotFoundError } from '../../src/domain/errors.js';

describe('audit outcomes', () => {
  it('a result is SUCCEEDED, a typed error result FAILED with its code', () => {
    expect(outcomeOfResult({ app: { id: 1 } })).toEqual({ outcome: 'SUCCEEDED', errorCode: null, message: null });
    expect(outcomeOfResult(new NotFoundError('App', 'QXBwOjk=', ['input', 'id']))).toEqual({ outcome: 'FAILED', errorCode: 'NOT_FOUND', message: 'No app has the ID QXBwOjk=.' });
  });
  it('a FORBIDDEN GraphQL error is DENIED', () => {
    expect(outcomeOfError(new GraphQLError('no', { extensions: { code: 'FORBIDDEN' } }))).toEqual({ outcome: 'DENIED', errorCode: 'FORBIDDEN', message: 'no' });
  });
  it('a thrown typed error is FAILED with its code', () => {
    expect(outcomeOfError(new NotAllowedError('busy'))).toEqual({ outcome: 'FAILED', errorCode: 'NOT_ALLOWED', message: 'busy' });
  });
  it('an unexpected error is FAILED, INTERNAL, without its message', () => {
    expect(outcomeOfError(new Error('SQLITE_FULL at /var/lib/cairn.db'))).toEqual({ outcome: 'FAILED', errorCode: 'INTERNAL', message: null });
    expect(outcomeOfError(new GraphQLError('wrapped', { originalError: new Error('inner') }))).toEqual({ outcome: 'FAILED', errorCode: 'INTERNAL', message: null });
  });
});

describe('typed errors as the errors plugin returns them', () => {
  it('a wrapped error result (a proxy instanceof does not see through) is FAILED with its code', () => {
    const wrapped = wrapErrorIfMatches(new NotFoundError('App', 'x', ['input', 'id']), [NotFoundError]);
    expect(outcomeOfResult(wrapped)).toEqual({ outcome: 'FAILED', errorCode: 'NOT_FOUND', message: 'No app has the ID x.' });
  });
});
