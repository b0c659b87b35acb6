import {
  type ArgumentNode,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLArgument,
  type GraphQLError,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValueNode,
  getNullableType,
  isInputObjectType,
  isListType,
  isScalarType,
  Kind,
  visit,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { hasNul } from '../../domain/text-rules.js';
import { forEachFieldWithArguments, selectedOperation } from './argument-fields.js';

/**
 * Text arguments that may hold NUL, by schema coordinate. Only these; every other String, ID or other
 * scalar argument value containing U+0000 is refused (see nulRefusals).
 */
export const NUL_ALLOWED: ReadonlySet<string> = new Set([
  // Keystrokes: NUL is a real key (Ctrl-@, Ctrl-Space) that a terminal sends to the shell. It is
  // never stored as text: the sendTerminalInput audit entry keeps the keystrokes' size only
  // (src/audit/mask.ts keystrokesSummary) and the terminalCommand lines drop control keys
  // (src/audit/terminal-lines.ts).
  'SendTerminalInputInput.data',
]);

/** The message of each refusal, after the argument's path. */
export const NUL_ARGUMENT_MESSAGE = 'must not contain the NUL character (U+0000)';

/** Refusals reported per operation at most (a list of a thousand texts with NUL gives this many). */
export const MAX_NUL_REFUSALS = 10;

/** One text value of a field's arguments: its schema coordinate and its path from the argument down. */
interface TextValue {
  coordinate: string;
  path: string[];
}

/**
 * Every String, ID or other scalar value in the operation's arguments — written in the operation, in
 * a variable's value or in a variable's default, inside input objects and lists — that contains
 * U+0000: one BAD_USER_INPUT refusal each (at most MAX_NUL_REFUSALS), naming the value's schema
 * coordinate (`extensions.argument`) and its path (`extensions.path`: the field's response key, then
 * the argument path, e.g. ['createApp', 'input', 'description']). PostgreSQL cannot store NUL in text
 * or jsonb and no cairn value needs it, so it is refused for every field at once, before anything
 * runs. Values in NUL_ALLOWED are not looked at. The selected operation and the document's fragments
 * are checked.
 */
export function nulRefusals(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): GraphQLError[] {
  // Nearly every operation holds no NUL anywhere: then nothing needs the schema walk below.
  if (!literalsHoldNul(document) && !holdsNul(variables)) return [];
  const operation = selectedOperation(document, operationName);
  if (!operation) return [];
  const given = variables ?? {};
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }
  const refusals: GraphQLError[] = [];
  forEachFieldWithArguments(schema, document, operation, ({ coordinate, key, arguments: nodes, definitions }) => {
    forEachNulArgument(coordinate, nodes, definitions, given, defaults, (found) => {
      if (refusals.length >= MAX_NUL_REFUSALS) return;
      const path = [key, ...found.path];
      refusals.push(
        createGraphQLError(`${path.join('.')} (${found.coordinate}) ${NUL_ARGUMENT_MESSAGE}.`, {
          extensions: { code: 'BAD_USER_INPUT', argument: found.coordinate, path },
        }),
      );
    });
    return refusals.length < MAX_NUL_REFUSALS;
  });
  return refusals;
}

/** Whether a string written in the document (an argument, a default) holds NUL: once per parsed document. */
const documentsWithNul = new WeakMap<DocumentNode, boolean>();
function literalsHoldNul(document: DocumentNode): boolean {
  let found = documentsWithNul.get(document);
  if (found === undefined) {
    found = false;
    visit(document, {
      StringValue(node) {
        if (hasNul(node.value)) found = true;
      },
    });
    documentsWithNul.set(document, found);
  }
  return found;
}

/** Whether any string inside `value` (objects and lists, at any depth) holds NUL. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return hasNul(value);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some(holdsNul);
  return Object.values(value).some(holdsNul);
}

function forEachNulArgument(
  fieldCoordinate: string,
  argumentNodes: readonly ArgumentNode[],
  definitions: readonly GraphQLArgument[],
  variables: Readonly<Record<string, unknown>>,
  defaults: ReadonlyMap<string, ValueNode>,
  onNul: (value: TextValue) => void,
): void {
  const walkNode = (node: ValueNode, type: GraphQLInputType, coordinate: string, path: string[]): void => {
    if (NUL_ALLOWED.has(coordinate)) return;
    if (node.kind === Kind.VARIABLE) {
      const name = node.name.value;
      if (variables[name] !== undefined) walkValue(variables[name], type, coordinate, path);
      else {
        const fallback = defaults.get(name);
        if (fallback) walkNode(fallback, type, coordinate, path);
      }
      return;
    }
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const item = nullable.ofType as GraphQLInputType;
      if (node.kind === Kind.LIST) node.values.forEach((value, i) => walkNode(value, item, coordinate, [...path, String(i)]));
      else walkNode(node, item, coordinate, path); // one item, coerced to a list of one
    } else if (isInputObjectType(nullable)) {
      if (node.kind !== Kind.OBJECT) return;
      const fields = nullable.getFields();
      for (const field of node.fields) {
        const definition = fields[field.name.value];
        if (definition) walkNode(field.value, definition.type, `${nullable.name}.${definition.name}`, [...path, definition.name]);
      }
    } else if (isScalarType(nullable) && node.kind === Kind.STRING && hasNul(node.value)) {
      onNul({ coordinate, path });
    }
  };

  const walkValue = (value: unknown, type: GraphQLInputType, coordinate: string, path: string[]): void => {
    if (NUL_ALLOWED.has(coordinate)) return;
    const nullable = getNullableType(type);
    if (isListType(nullable)) {
      const item = nullable.ofType as GraphQLInputType;
      if (Array.isArray(value)) value.forEach((v, i) => walkValue(v, item, coordinate, [...path, String(i)]));
      else walkValue(value, item, coordinate, path); // one item, coerced to a list of one
    } else if (isInputObjectType(nullable)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
      const fields = nullable.getFields();
      for (const [name, fieldValue] of Object.entries(value)) {
        const definition = fields[name];
        if (definition) walkValue(fieldValue, definition.type, `${nullable.name}.${definition.name}`, [...path, definition.name]);
      }
    } else if (isScalarType(nullable) && typeof value === 'string' && hasNul(value)) {
      onNul({ coordinate, path });
    }
  };

  for (const node of argumentNodes) {
    const definition = definitions.find((d) => d.name === node.name.value);
    if (definition) walkNode(node.value, definition.type, `${fieldCoordinate}(${definition.name}:)`, [definition.name]);
  }
}

/**
 * Refuses an operation whose arguments hold the NUL character (nulRefusals) when it is about to run,
 * over HTTP, SSE and graphql-ws alike (every transport runs operations through yoga's envelop):
 * nothing executes, nothing is written; the result is the refusals.
 */
export function useNoNulArguments(): Plugin {
  const refusal = (args: ExecutionArgs) => nulRefusals(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown> | undefined);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused.length > 0) setResultAndStopExecution({ errors: refused });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused.length > 0) setResultAndStopExecution({ errors: refused });
    },
  };
}
