import { type GraphQLInputType, type GraphQLSchema, isInputObjectType, isInterfaceType, isListType, isNonNullType, isObjectType } from 'graphql';

/**
 * The most items each list argument and list input field of the schema may hold, by schema
 * coordinate (`Query.nodes(ids:)`, `DeploymentConfigInput.env`). `DEFAULT` is the configured
 * CAIRN_MAX_LIST_ARGUMENT. Every list in the schema must be named here: `listCapProblems` (run on the
 * built schema by a test) fails for one that is not, so a new list argument cannot go uncapped.
 * Where the domain allows a list more items than the default (500 environment variables, 256
 * arguments of an execInInstance command), the cap is the domain's limit, so that every list the
 * domain accepts reaches it.
 */
export const DEFAULT = 'default' as const;

export const LIST_CAPS: Readonly<Record<string, number | typeof DEFAULT>> = {
  'Query.nodes(ids:)': DEFAULT,
  'CreateApiTokenInput.grants': DEFAULT,
  'DeploymentConfigInput.env': 500,
  'DeploymentConfigInput.ports': DEFAULT,
  'DeploymentConfigInput.fileMounts': DEFAULT,
  'DeploymentConfigInput.directoryMounts': DEFAULT,
  'ExecActionInput.command': DEFAULT,
  'ExecInInstanceInput.command': 256, // execInInstance allows 256 arguments (src/schema/instance-exec.ts)
  'LogCollectionInput.paths': DEFAULT,
};

/** The cap of the list at `coordinate`, given the configured default; undefined when the schema has no such list. */
export function listCap(coordinate: string, defaultCap: number): number | undefined {
  const cap = LIST_CAPS[coordinate];
  return cap === DEFAULT ? defaultCap : cap;
}

/** Whether `type` is (or wraps) a list. */
export function holdsList(type: GraphQLInputType): boolean {
  let current: GraphQLInputType = type;
  for (;;) {
    if (isListType(current)) return true;
    if (isNonNullType(current)) current = current.ofType;
    else return false;
  }
}

/** Every list argument and list input field of `schema`, as schema coordinates. */
export function listCoordinates(schema: GraphQLSchema): string[] {
  const coordinates: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        for (const arg of field.args) if (holdsList(arg.type)) coordinates.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (holdsList(field.type)) coordinates.push(`${type.name}.${field.name}`);
    }
  }
  return coordinates.sort();
}

/**
 * What is wrong with LIST_CAPS for `schema`, one line each: a list without a cap, or a cap for a list
 * the schema does not have. Empty when every list is capped.
 */
export function listCapProblems(schema: GraphQLSchema): string[] {
  const present = listCoordinates(schema);
  const problems = present.filter((c) => !(c in LIST_CAPS)).map((c) => `${c} is a list without a cap in LIST_CAPS (src/server/limits/list-caps.ts)`);
  for (const c of Object.keys(LIST_CAPS)) if (!present.includes(c)) problems.push(`LIST_CAPS names ${c}, which the schema does not have`);
  return problems.sort();
}
