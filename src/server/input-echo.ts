import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * graphql-js quotes a variable's value when it does not fit its type: `Variable "$input" got invalid
 * value { name: "DB_PASSWORD", value: "…", bogus: 1 } at "input.config.env[0]"; Field "bogus" is not
 * defined …`. That value may be a secret (an env var's value), so the message keeps the variable,
 * the path and the reason, and drops the value.
 */
const INVALID_VALUE = /^(Variable "\$\w+" got invalid value) [\s\S]*?( at "[^"]*")?$/;
/** A scalar's own reason quotes the value too: `Boolean cannot represent a non boolean value: "…"`. */
const SCALAR_REASON = /^(\w+ cannot represent [^:]*): [\s\S]*$/;
/** And an enum's: `Value "…" does not exist in "PauseMode" enum.` */
const ENUM_REASON = /^Value [\s\S]* (does not exist in "\w+" enum\.)[\s\S]*$/;

/** The reason without the value it quotes. */
function reasonOnly(reason: string): string {
  const scalar = SCALAR_REASON.exec(reason);
  if (scalar) return `${scalar[1]}.`;
  const enumValue = ENUM_REASON.exec(reason);
  return enumValue ? `The value ${enumValue[1]}` : reason;
}

export function withoutInputValue(error: GraphQLError): GraphQLError {
  const reason = error.originalError?.message;
  if (reason === undefined || !error.message.startsWith('Variable "$')) return error;
  const suffix = `; ${reason}`;
  if (!error.message.endsWith(suffix)) return error;
  const head = INVALID_VALUE.exec(error.message.slice(0, -suffix.length));
  if (!head) return error;
  const message = `${head[1]!.replace('got invalid value', 'got an invalid value')}${head[2] ?? ''}; ${reasonOnly(reason)}`;
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: error.extensions });
}

const scrub = (result: ExecutionResult): ExecutionResult | null => {
  if (!result.errors?.some((e) => e.message.startsWith('Variable "$'))) return null;
  return { ...result, errors: result.errors.map(withoutInputValue) };
};

/** Responses never quote a variable's value back (see withoutInputValue), over every transport. */
export function useNoInputEcho(): Plugin {
  return {
    onExecute: () => ({
      onExecuteDone({ result, setResult }) {
        if (Symbol.asyncIterator in result) return;
        const scrubbed = scrub(result);
        if (scrubbed) setResult(scrubbed);
      },
    }),
    onSubscribe: () => ({
      onSubscribeResult({ result, setResult }) {
        if (Symbol.asyncIterator in result) return;
        const scrubbed = scrub(result);
        if (scrubbed) setResult(scrubbed);
      },
    }),
  };
}
