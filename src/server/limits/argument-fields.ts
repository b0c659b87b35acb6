import {
  type ArgumentNode,
  type DocumentNode,
  type GraphQLArgument,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

/** A field of the operation that is given arguments. */
export interface FieldWithArguments {
  /** Its schema coordinate, e.g. `Query.nodes`. */
  coordinate: string;
  /** Its response key (its alias, or its name). */
  key: string;
  arguments: readonly ArgumentNode[];
  definitions: readonly GraphQLArgument[];
}

/** The operation a request runs: the one named, or the document's only one; undefined when there is none such. */
export function selectedOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
}

/**
 * Calls `onField` for every field given arguments in `operation` and the document's fragments, with its schema
 * coordinate and response key — the walk the argument checks (list lengths, NUL) share. Argument values are not
 * visited (each check walks them with the variables' values). `onField` answering false stops the walk.
 */
export function forEachFieldWithArguments(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, onField: (field: FieldWithArguments) => boolean | void): void {
  const checked: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [operation, ...document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION)],
  };
  const typeInfo = new TypeInfo(schema);
  let stopped = false;
  visit(
    checked,
    visitWithTypeInfo(typeInfo, {
      Argument: () => false,
      Field(node) {
        if (stopped) return false;
        const definition = typeInfo.getFieldDef();
        const parent = typeInfo.getParentType();
        if (!definition || !parent || !node.arguments?.length) return;
        const field = { coordinate: `${parent.name}.${definition.name}`, key: node.alias?.value ?? node.name.value, arguments: node.arguments, definitions: definition.args };
        if (onField(field) === false) stopped = true;
      },
    }),
  );
}
