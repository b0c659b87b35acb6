/**
 * Every error a client sees carries `extensions.code`. cairn's own errors set theirs where they are
 * thrown; this plugin covers the errors that libraries make without one, over every transport
 * (HTTP, server-sent events, graphql-ws), in single results and in every event of a stream:
 * graphql-js's variable coercion ("Variable "$n" got an invalid value …") and argument checks,
 * and Pothos' validation errors are the client's input (BAD_USER_INPUT); anything else without a
 * code is cairn's fault (INTERNAL_SERVER_ERROR).
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';

/** The code an error without one gets. */
export function fallbackCode(error: GraphQLError): string {
  const original = error.originalError;
  if (error.message.startsWith('Variable "$') || error.message.startsWith('Argument "')) return 'BAD_USER_INPUT';
  if (original?.name === 'PothosValidationError' || error.name === 'PothosValidationError') return 'BAD_USER_INPUT';
  return 'INTERNAL_SERVER_ERROR';
}

/** The error with a code: itself when it has one. */
export function withCode(error: GraphQLError): GraphQLError {
  if (typeof error.extensions?.code === 'string') return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: fallbackCode(error) },
  });
}

function coded(result: ExecutionResult): ExecutionResult | null {
  if (!result.errors?.some((e) => typeof e.extensions?.code !== 'string')) return null;
  return { ...result, errors: result.errors.map(withCode) };
}

/** Gives every error of every result a code (see the file's comment). */
export function useErrorCodes(): Plugin {
  const onResult = ({ result, setResult }: { result: ExecutionResult; setResult: (r: ExecutionResult) => void }) => {
    const fixed = coded(result);
    if (fixed) setResult(fixed);
  };
  return {
    onExecute: () => ({ onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, onResult) }),
    onSubscribe: () => ({
      onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload as never, onResult),
    }),
  };
}
