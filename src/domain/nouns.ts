/**
 * How messages name a GraphQL type in a sentence: `ApiToken` → "API token", `ReleaseOrder` →
 * "release order", with the right indefinite article ("an app", "an API token", "a template").
 * Pure functions.
 */

/** Words kept in capitals. */
const ACRONYMS = new Set(['API', 'ID', 'URL', 'IP']);

/** The type's name as words in a sentence: lower case, acronyms kept (`ApiToken` → "API token"). */
export function nounOf(typename: string): string {
  const words = typename.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z0-9]+/g) ?? [typename];
  return words.map((w) => (ACRONYMS.has(w.toUpperCase()) ? w.toUpperCase() : w.toLowerCase())).join(' ');
}

/** The noun with "a" or "an" before it, by its first letter ("an app", "an API token", "a release order"). */
export function withArticle(noun: string): string {
  return `${/^[aeiouAEIOU]/.test(noun) ? 'an' : 'a'} ${noun}`;
}
