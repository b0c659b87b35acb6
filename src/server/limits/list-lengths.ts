import {
  type ArgumentNode,
  type GraphQLArgument,
  type GraphQLInputType,
  type ValueNode,
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
} from 'graphql';

/** One list given to a field's arguments: where it sits in the schema and in the operation, and how many items it holds. */
export interface ListValue {
  /** Its schema coordinate: `Query.nodes(ids:)` for an argument, `DeploymentConfigInput.env` for an input field. */
  coordinate: string;
  /** Its path from the argument down, e.g. ['input', 'config', 'env']. */
  path: string[];
  /** Items it holds. */
  length: number;
  /** Whether it is one of the field's own arguments (not a field of an input object). */
  direct: boolean;
}

/**
 * Calls `onList` for every list in a field's arguments — written in the operation (a list literal)
 * or given as a variable (its value) — including lists inside input objects, outermost first. When
 * `onList` returns false, the list's items are not looked into: a caller refusing a list that is too
 * long does no per-item work on it. Lists of scalars are never looked into. Values of the wrong
 * shape (validation or coercion refuses them) are skipped.
 */
export function forEachListArgument(
  fieldCoordinate: string,
  argumentNodes: readonly ArgumentNode[] | undefined,
  definitions: readonly GraphQLArgument[],
  variables: Readonly<Record<string, unknown>>,
  onList: (list: ListValue) => boolean,
): void {
  for (const node of argumentNodes ?? []) {
    const definition = definitions.find((d) => d.name === node.name.value);
    if (!definition) continue;
    const coordinate = `${fieldCoordinate}(${definition.name}:)`;
    walkNode(node.value, definition.type, coordinate, [definition.name], true, variables, onList);
  }
}

function walkNode(
  node: ValueNode,
  type: GraphQLInputType,
  coordinate: string,
  path: string[],
  direct: boolean,
  variables: Readonly<Record<string, unknown>>,
  onList: (list: ListValue) => boolean,
): void {
  if (node.kind === Kind.VARIABLE) {
    walkValue(variables[node.name.value], type, coordinate, path, direct, onList);
    return;
  }
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (node.kind !== Kind.LIST) return; // one item, coerced to a list of one
    if (!onList({ coordinate, path, length: node.values.length, direct })) return;
    const item = nullable.ofType as GraphQLInputType;
    if (!holdsStructure(item)) return;
    node.values.forEach((value, i) => walkNode(value, item, coordinate, [...path, String(i)], direct, variables, onList));
  } else if (isInputObjectType(nullable) && node.kind === Kind.OBJECT) {
    const fields = nullable.getFields();
    for (const field of node.fields) {
      const definition = fields[field.name.value];
      if (definition) walkNode(field.value, definition.type, `${nullable.name}.${definition.name}`, [...path, definition.name], false, variables, onList);
    }
  }
}

function walkValue(
  value: unknown,
  type: GraphQLInputType,
  coordinate: string,
  path: string[],
  direct: boolean,
  onList: (list: ListValue) => boolean,
): void {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return;
    if (!onList({ coordinate, path, length: value.length, direct })) return;
    const item = nullable.ofType as GraphQLInputType;
    if (!holdsStructure(item)) return;
    value.forEach((v, i) => walkValue(v, item, coordinate, [...path, String(i)], direct, onList));
  } else if (isInputObjectType(nullable) && typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const fields = nullable.getFields();
    for (const [name, fieldValue] of Object.entries(value)) {
      const definition = fields[name];
      if (definition) walkValue(fieldValue, definition.type, `${nullable.name}.${definition.name}`, [...path, definition.name], false, onList);
    }
  }
}

/** Whether values of `type` may hold lists (input objects, lists of lists): scalars and enums do not. */
function holdsStructure(type: GraphQLInputType): boolean {
  const nullable = getNullableType(type);
  return isListType(nullable) || isInputObjectType(nullable);
}
