/**
 * graphql-codegen's client preset over cairn's schema and the examples' operations: typed documents
 * (as strings, so the client needs no GraphQL library at run time) in src/gql/.
 * Regenerate with `npm run examples:codegen` after changing schema.graphql or examples/operations/.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema.graphql',
  // ES module imports with their .js extensions, as NodeNext wants.
  emitLegacyCommonJSImports: false,
  documents: ['../operations/*.graphql'],
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: { documentMode: 'string', enumsAsTypes: true, useTypeImports: true, scalars: { DateTime: 'string' } },
    },
  },
};

export default config;
