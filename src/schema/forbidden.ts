import { GraphQLError } from 'graphql';
import type { Viewer } from '../auth/roles.js';

/**
 * The error a denied field returns: a GraphQL error with code FORBIDDEN (never masked), naming the
 * field and the token, so that a client knows which right it lacks.
 */
export function forbidden(viewer: Viewer | undefined, field: string): GraphQLError {
  const who = viewer ? `The token "${viewer.name}"` : 'An anonymous caller';
  return new GraphQLError(`${who} may not use ${field}: it needs a role it does not have (ask an admin or the app's owner).`, {
    extensions: { code: 'FORBIDDEN' },
  });
}
