import { builder } from './builder.js';

/** How every root type explains the `Access:` sentence its fields end with (access-text.ts). */
const ACCESS_RULE =
  'Each field ends with an `Access:` sentence saying who may use it and what other tokens get. Roles on an app grow VIEWER → DEPLOYER → OWNER (each may do what the one before may); an admin token may do everything. A request without a valid token gets UNAUTHENTICATED; a refused field gets a GraphQL error with code FORBIDDEN.';

builder.queryType({
  description: `The root of every read: apps, environments, clusters, templates and more. Any valid token reads what belongs to no app; what belongs to an app needs a role on it, and an ID of an app the caller has no role on reads as an ID that names nothing (null, or NotFoundError). ${ACCESS_RULE}`,
});
builder.mutationType({
  description: `Every change: apps, deployment configurations, templates, releases, members, tokens, terminals. A refused mutation changes nothing; for a caller that is not an admin, an ID that names nothing is refused as one of an app it has no role on (FORBIDDEN), so that IDs never tell which apps exist. ${ACCESS_RULE}`,
});

export { ACCESS_RULE };
