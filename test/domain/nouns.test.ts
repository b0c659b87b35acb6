import { describe, expect, it } from 'vitest';
import { AlreadyExistsError, NotFoundError } from '../../src/domain/errors.js';
import { nounOf, withArticle } from '../../src/domain/nouns.js';

describe('type names in sentences', () => {
  it.each([
    ['App', 'an app'],
    ['ApiToken', 'an API token'],
    ['Environment', 'an environment'],
    ['Instance', 'an instance'],
    ['Template', 'a template'],
    ['ReleaseOrder', 'a release order'],
    ['TerminalSession', 'a terminal session'],
  ])('%s is %s', (typename, phrase) => {
    expect(withArticle(nounOf(typename))).toBe(phrase);
  });

  it('is how the typed errors speak', () => {
    expect(new AlreadyExistsError('App', 'shop', ['input', 'name']).message).toBe('An app named "shop" already exists; choose another name.');
    expect(new AlreadyExistsError('ApiToken', 'ci', ['input', 'name']).message).toBe('An API token named "ci" already exists; choose another name.');
    expect(new AlreadyExistsError('Template', 'base', ['input', 'name']).message).toBe('A template named "base" already exists; choose another name.');
    expect(new NotFoundError('ReleaseOrder', 'x', ['input', 'id']).message).toBe('No release order has the ID x.');
  });
});
