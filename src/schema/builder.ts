import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { GraphQLError } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import type { AppRoleName } from '../db/auth-tables.js';
import { mayActOnApp } from '../auth/roles.js';
import { ACCESS } from './access-text.js';
import type { Context } from './context.js';
import { REACHED_THROUGH_PARENT } from './auth-rules.js';
import { nodeVisible, visibleNodes } from './auth-nodes.js';
import { forbidden } from './forbidden.js';
import { decodeId } from './ids.js';

/**
 * How `node(id:)`, `nodes(ids:)` (and any globalID argument) decode an ID: only in its one spelling
 * (ids.ts); any other is refused with a short message that does not repeat it.
 */
function decodeCanonicalId(globalID: string): { typename: string; id: string } {
  const decoded = decodeId(globalID);
  if (decoded) return decoded;
  throw new GraphQLError('Not a global ID: pass an ID exactly as cairn returned it in an `id` field.', { extensions: { code: 'BAD_USER_INPUT' } });
}

/** The one Pothos builder. Every type lives in its own file under src/schema/ and registers itself here. */
export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: {
    /** Any caller with a valid API token. */
    authenticated: boolean;
    /** Admin tokens only. */
    admin: boolean;
    /** At least `role` on the app with this id (admins always pass). */
    app: { id: number; role: AppRoleName };
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
}>({
  // Relay before scope-auth: rules receive decoded global IDs.
  plugins: [ErrorsPlugin, ValidationPlugin, RelayPlugin, ScopeAuthPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    // App rules are objects: cache their results per request by value, not by identity.
    cacheKey: (value) => (typeof value === 'object' ? JSON.stringify(value) : value),
    authScopes: (ctx) => ({
      authenticated: ctx.viewer !== undefined,
      admin: ctx.viewer?.admin === true,
      app: ({ id, role }) => mayActOnApp(ctx.viewer, id, role),
    }),
    unauthorizedError: (_parent, ctx, info) => forbidden(ctx.viewer, `${info.parentType.name}.${info.fieldName}`),
  },
  relay: {
    decodeGlobalID: decodeCanonicalId,
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: { description: 'An object with a global ID, fetchable with the `node` query.' },
    idFieldOptions: { description: 'The global ID of this object (opaque; use it with `node(id:)` and in mutation inputs).' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list.', authScopes: REACHED_THROUGH_PARENT },
    nodeQueryOptions: {
      description: 'Any object by its global ID; null when nothing has that ID, or when it belongs to an app the caller has no role on. ' + ACCESS.anyToken,
      args: { id: { description: 'A global ID, as returned in any `id` field.' } },
      authScopes: { authenticated: true },
      resolve: async (_root, { id }, ctx, _info, resolveNode) => ((await nodeVisible(ctx, id)) ? resolveNode(id) : null),
    },
    nodesQueryOptions: {
      description: 'Several objects by their global IDs, in the same order; null for IDs that name nothing or an object of an app the caller has no role on. ' + ACCESS.anyToken,
      args: { ids: { description: 'Global IDs, as returned in `id` fields.' } },
      authScopes: { authenticated: true },
      resolve: (_root, { ids }, ctx, _info, resolveNodes) => visibleNodes(ctx, ids, resolveNodes),
    },
    cursorFieldOptions: { description: 'An opaque cursor for this edge; pass it as `after` or `before`.' },
    nodeFieldOptions: { description: 'The object at this edge.' },
    edgesFieldOptions: { description: 'The edges of this page, in order.' },
    pageInfoFieldOptions: { description: 'Whether there are more pages, and the cursors at both ends of this one.' },
    hasNextPageFieldOptions: { description: 'True when more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'True when items precede this page.' },
    startCursorFieldOptions: { description: 'The cursor of the first edge of this page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'The cursor of the last edge of this page; null when the page is empty.' },
    firstArgOptions: { description: 'Return at most this many items from the start (after `after`).' },
    lastArgOptions: { description: 'Return at most this many items from the end (before `before`).' },
    afterArgOptions: { description: 'Return items after this cursor.' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
    mutationInputArgOptions: { description: 'The input of this mutation.' },
    clientMutationIdInputOptions: { description: 'Unused.' },
    clientMutationIdFieldOptions: { description: 'Unused.' },
    // Pages and payloads are reached only through fields that checked the caller's rights.
    defaultConnectionTypeOptions: { description: 'A page of a list, with cursors (Relay connection).', authScopes: REACHED_THROUGH_PARENT },
    defaultEdgeTypeOptions: { description: 'One item of a page, with its cursor.', authScopes: REACHED_THROUGH_PARENT },
    defaultPayloadTypeOptions: { description: 'The result of a mutation.', authScopes: REACHED_THROUGH_PARENT },
    defaultMutationInputTypeOptions: { description: 'The input of a mutation.' },
  },
  errors: {
    defaultTypes: [],
    directResult: true,
  },
});

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'A point in time, as an ISO-8601 string with time zone (e.g. 2026-11-25T16:25:00.000Z).',
});
