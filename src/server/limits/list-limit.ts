import {
  type DocumentNode,
  type GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
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
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return [];
  const checked: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  const vars = variables ?? {};
  const refusals: GraphQLError[] = [];
  const typeInfo = new TypeInfo(schema);
  visit(
    checked,
    visitWithTypeInfo(typeInfo, {
      // Argument values are walked by forEachListArgument (with the variables' values), not by the visitor.
      Argument: () => false,
      Field(node) {
        const definition = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (!definition || !parent || !node.arguments?.length) return;
        const fieldCoordinate = `${parent.name}.${definition.name}`;
        const key = node.alias?.value ?? node.name.value;
        forEachListArgument(fieldCoordinate, node.arguments, definition.args, vars, (list) => {
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
      },
    }),
  );
  return refusals;
}
