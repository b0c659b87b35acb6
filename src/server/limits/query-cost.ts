import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
} from 'graphql';
import { forEachListArgument } from './list-lengths.js';

/** How the estimate counts lists. */
export const COST_MODEL = {
  /** Items a connection returns when neither `first` nor `last` is given (Pothos relay's default page). */
  defaultPageSize: 20,
  /** Items assumed for a list without paging arguments (an app's environments, an instance's containers …). */
  unpagedListSize: 10,
} as const;

/**
 * The estimated cost of the operation to run: every field costs 1; a list multiplies the cost of
 * what is selected in it by its size — for a connection, the page size its `first` or `last` asks for
 * (literal or variable; 20 when absent); for a list field given a list argument (`nodes(ids:)`), as
 * many items as that argument holds; for other lists 10. Every item of a list given as an argument
 * (literal or variable, inside input objects too) costs 1 more: it is input to process. Introspection fields cost 1 (their size is
 * bounded by the schema). Fragments count where they are spread. Pure; a document that does not
 * validate is estimated as far as it can be.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName?: string | null,
  variables?: Readonly<Record<string, unknown>> | null,
): number {
  const operation = pickOperation(document, operationName);
  if (!operation) return 0;
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const memo = new Map<string, number>();
  const vars = variables ?? {};

  const selectionCost = (set: SelectionSetNode, type: GraphQLCompositeType | undefined, pageSize: number | undefined, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, type, pageSize, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? compositeType(schema, selection.typeCondition.name.value) : type;
        total += selectionCost(selection.selectionSet, condition, pageSize, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        if (!fragment || seen.has(name)) continue; // unknown or cyclic: validation refuses it
        const key = `${name}|${pageSize ?? ''}`;
        let cost = memo.get(key);
        if (cost === undefined) {
          cost = selectionCost(fragment.selectionSet, compositeType(schema, fragment.typeCondition.name.value), pageSize, new Set([...seen, name]));
          memo.set(key, cost);
        }
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType | undefined, pageSize: number | undefined, seen: ReadonlySet<string>): number => {
    if (node.name.value.startsWith('__')) return 1;
    const definition = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[node.name.value] : undefined;
    if (!definition) return 1;
    const paged = definition.args.some((a) => a.name === 'first' || a.name === 'last');
    const ownPage = paged ? requestedPageSize(node, vars) : undefined;
    const isList = isListType(getNullableType(definition.type));
    let inputItems = 0;
    let listArgument: number | undefined;
    forEachListArgument(`${parent!.name}.${definition.name}`, node.arguments, definition.args, vars, (list) => {
      inputItems += list.length;
      if (list.direct && list.path.length === 1) listArgument = Math.max(listArgument ?? 0, list.length);
      return true;
    });
    // A paged list counts its own page; a list given a list argument returns that many; a connection
    // hands its page size to its edges/nodes list.
    const multiplier = isList ? (ownPage ?? listArgument ?? pageSize ?? COST_MODEL.unpagedListSize) : 1;
    const childPage = !isList ? ownPage : undefined;
    const named = getNamedType(definition.type);
    const children = node.selectionSet && isCompositeType(named) ? selectionCost(node.selectionSet, named, childPage, seen) : 0;
    return multiplier * (1 + children) + inputItems;
  };

  return selectionCost(operation.selectionSet, root, undefined, new Set());
}

function pickOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function compositeType(schema: GraphQLSchema, name: string): GraphQLCompositeType | undefined {
  const type = schema.getType(name);
  return type && isCompositeType(type) ? type : undefined;
}

/** The page size a paged field asks for: the larger of `first` and `last` (a literal or a variable), else the default. */
function requestedPageSize(node: FieldNode, variables: Readonly<Record<string, unknown>>): number {
  let size: number | undefined;
  for (const argument of node.arguments ?? []) {
    if (argument.name.value !== 'first' && argument.name.value !== 'last') continue;
    const value = intValue(argument.value, variables);
    if (value !== undefined) size = Math.max(size ?? 0, value);
  }
  return size ?? COST_MODEL.defaultPageSize;
}

function intValue(node: ValueNode, variables: Readonly<Record<string, unknown>>): number | undefined {
  if (node.kind === Kind.INT) return Math.max(0, Number.parseInt(node.value, 10));
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.floor(value)) : undefined;
  }
  return undefined;
}
