import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../../config.js';
import type { LimitCode } from './errors.js';

export type QueryLimitsConfig = Pick<Config, 'maxQueryDepth' | 'maxAliases' | 'maxQueryTokens' | 'introspection'>;

/**
 * Limits on an operation's text, checked when it is parsed and validated (before anything runs, for
 * HTTP, SSE and graphql-ws alike): its depth, its aliases, its tokens (graphql-armor), and — when
 * introspection is off — no `__schema` / `__type`.
 */
export function useQueryLimits(config: QueryLimitsConfig): Plugin[] {
  const plugins: Plugin[] = [
    maxTokensPlugin({ n: config.maxQueryTokens, onReject: [coded('TOO_MANY_TOKENS', config.maxQueryTokens)] }) as Plugin,
    useParseStackGuard(),
    // Depth is field nesting: fragments add none. GraphiQL's introspection query is deep by nature;
    // whether it may run is the introspection setting's business.
    maxDepthPlugin({
      n: config.maxQueryDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      onReject: [coded('QUERY_TOO_DEEP', config.maxQueryDepth)],
    }) as Plugin,
    maxAliasesPlugin({ n: config.maxAliases, onReject: [coded('TOO_MANY_ALIASES', config.maxAliases)] }) as Plugin,
  ];
  if (!config.introspection) plugins.push({ onValidate: ({ addValidationRule }) => addValidationRule(noIntrospection) });
  return plugins;
}

/**
 * graphql-js parses recursively: a few thousand nested lists or selections (within the token limit)
 * exhaust the stack. Refuse that as too deep instead of failing with an unexpected error.
 */
function useParseStackGuard(): Plugin {
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, options);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          throw new GraphQLError('Syntax Error: the operation nests values or selections too deeply to be parsed.', {
            extensions: { code: 'QUERY_TOO_DEEP' satisfies LimitCode },
          });
        }
      });
    },
  };
}

/** graphql-armor's refusals carry only a message ("Syntax Error: Query depth limit of 15 exceeded, found 16."): add a code and the limit. */
function coded(code: LimitCode, limit: number) {
  return (_context: unknown, error: GraphQLError) => {
    error.extensions.code = code;
    error.extensions.limit = limit;
  };
}

/** Refuses `__schema` and `__type` (introspection); `__typename` stays allowed. */
export const noIntrospection: ValidationRule = (context) => ({
  Field(node) {
    const name = node.name.value;
    if (name !== '__schema' && name !== '__type') return;
    context.reportError(
      new GraphQLError(`Introspection is disabled on this server (CAIRN_INTROSPECTION=false): "${name}" cannot be queried.`, {
        nodes: node,
        extensions: { code: 'INTROSPECTION_DISABLED' satisfies LimitCode },
      }),
    );
  },
});
