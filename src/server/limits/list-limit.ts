import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import { forEachFieldWithArguments, selectedOperation } from './argument-fields.js';
import { limitError } from './errors.js';
import { listCap } from './list-caps.js';
import { forEachListArgument } from './list-lengths.js';

/**
 * Every list in the operation's arguments (literal or variable, inside input objects too) longer than
 * its cap (LIST_CAPS; `defaultCap` = CAIRN_MAX_LIST_ARGUMENT): one LIST_TOO_LONG refusal each, naming
 * the list's schema coordinate and its path (the field's response key, then the argument path). Runs
 * before the variables are coerced and anything executes, and never looks into the items of a list
 * it refuses. The selected operation and the document's fragments are checked.
 */
export function listLimitRefusals(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
  defaultCap: number,
): GraphQLError[] {
  const operation = selectedOperation(document, operationName);
  if (!operation) return [];
  const vars = variables ?? {};
  const refusals: GraphQLError[] = [];
  forEachFieldWithArguments(schema, document, operation, ({ coordinate, key, arguments: given, definitions }) => {
    forEachListArgument(coordinate, given, definitions, vars, (list) => {
      const cap = listCap(list.coordinate, defaultCap) ?? defaultCap;
      if (list.length <= cap) return true;
      const where = [key, ...list.path].join('.');
      refusals.push(
        limitError(
          `List too long: ${where} (${list.coordinate}) holds ${list.length} items, the limit is ${cap}${cap === defaultCap ? ' (CAIRN_MAX_LIST_ARGUMENT)' : ''}. Send fewer items per operation.`,
          'LIST_TOO_LONG',
          { limit: cap, about: { argument: list.coordinate, path: [key, ...list.path], length: list.length } },
        ),
      );
      return false;
    });
  });
  return refusals;
}
