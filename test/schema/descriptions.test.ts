import {
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.js';

const described = (text: string | null | undefined) => typeof text === 'string' && text.trim().length > 0;

/** Every type, field, argument, enum value and input field without a description, by coordinate. */
function undescribed(types: readonly GraphQLNamedType[]): string[] {
  const missing: string[] = [];
  for (const type of types) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    if (!described(type.description)) missing.push(`type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`field ${type.name}.${field.name}`);
        for (const arg of field.args) {
          if (!described(arg.description)) missing.push(`argument ${type.name}.${field.name}(${arg.name}:)`);
        }
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`input field ${type.name}.${field.name}`);
      }
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (!described(value.description)) missing.push(`enum value ${type.name}.${value.name}`);
      }
    } else if (isUnionType(type)) {
      // A union has no members of its own to describe.
    }
  }
  return missing;
}

describe('schema descriptions', () => {
  it('describes every type, field, argument, enum value and input field', () => {
    const missing = undescribed(Object.values(schema.getTypeMap()));
    expect(missing, `missing descriptions:\n  ${missing.join('\n  ')}`).toEqual([]);
  });

  it('names what is missing (the check itself works)', async () => {
    const { GraphQLObjectType, GraphQLString, GraphQLEnumType } = await import('graphql');
    const bare = new GraphQLObjectType({
      name: 'Bare',
      fields: { a: { type: GraphQLString, args: { x: { type: GraphQLString } } } },
    });
    const colour = new GraphQLEnumType({ name: 'Colour', description: 'A colour.', values: { RED: {} } });
    expect(undescribed([bare, colour])).toEqual(['type Bare', 'field Bare.a', 'argument Bare.a(x:)', 'enum value Colour.RED']);
  });
});
