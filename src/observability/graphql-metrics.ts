/**
 * GraphQL metrics: operations by name, type and outcome (success, error: the answer carries errors, invalid: it
 * did not parse or validate), their latency, and the subscriptions open now by transport (graphql-ws, SSE). One
 * envelop plugin: it sees operations over HTTP, SSE and graphql-ws alike (all run through yoga's envelop).
 *
 * Operation names are taken only from documents that validated (those that reach execution): an invalid one
 * counts under the fixed name `(invalid)` (no GraphQL name has parentheses), so requests that never run cannot
 * use up the bounded set of name labels.
 */
import type { DocumentNode, ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Registry } from 'prom-client';
import { memberEndOf } from '../live/fanout/member-end.js';
import { countOpen, metricsIn, secondsSince } from './declare.js';
import { boundedLabels } from './labels.js';
import { operationOf, transportOf } from './operation-name.js';

export interface GraphqlMetrics {
  plugin: Plugin;
}

/** The operation label of a document that did not parse or validate. */
export const INVALID_OPERATION = '(invalid)';

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && Symbol.asyncIterator in value;

export function createGraphqlMetrics(registry: Registry): GraphqlMetrics {
  const declare = metricsIn(registry);
  const operations = declare.counter(
    'cairn_graphql_operations_total',
    'GraphQL operations, by operation name, type and outcome (success; error: the answer carries errors; invalid: it did not validate).',
    ['operation', 'type', 'outcome'],
  );
  const duration = declare.histogram(
    'cairn_graphql_operation_duration_seconds',
    'Time to execute a GraphQL operation (a subscription: until its stream is set up), by operation name and type.',
    ['operation', 'type'],
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  const subscriptions = declare.gauge('cairn_graphql_subscriptions_open', 'GraphQL subscriptions open now, by transport (graphql-ws, sse, http).', ['transport']);
  // Operation names come from clients: the first 200 distinct ones are kept, later ones count as `other`.
  const names = boundedLabels(200);

  const finish = (document: DocumentNode, operationName: string | null | undefined, started: number) => {
    const op = operationOf(document, operationName);
    const labels = { operation: names.of(op.name), type: op.type };
    duration.observe(labels, secondsSince(started));
    return (outcome: 'success' | 'error') => operations.inc({ ...labels, outcome });
  };
  const outcomeOf = (result: unknown) => ((result as ExecutionResult).errors?.length ? 'error' : 'success');

  const invalid = (type: string) => operations.inc({ operation: INVALID_OPERATION, type, outcome: 'invalid' });
  const plugin: Plugin = {
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) invalid('unknown');
      };
    },
    onValidate({ params }) {
      return ({ valid }) => {
        if (!valid) invalid(operationOf(params.documentAST, undefined).type);
      };
    },
    onExecute({ args }) {
      const started = performance.now();
      return {
        onExecuteDone({ result }) {
          const count = finish(args.document, args.operationName, started);
          // An incremental answer (@defer, @stream) counts as one operation, by its first part.
          if (!isAsyncIterable(result)) count(outcomeOf(result));
          else count('success');
        },
      };
    },
    onSubscribe({ args }) {
      const started = performance.now();
      let close = () => {};
      return {
        onSubscribeResult({ result }) {
          const count = finish(args.document, args.operationName, started);
          if (!isAsyncIterable(result)) return count(outcomeOf(result));
          count('success');
          close = countOpen(subscriptions, { transport: transportOf(args.contextValue) });
          // A grouped member tells of its end itself (src/live/fanout/member-end.ts): no wrapper around its stream.
          const member = memberEndOf(result);
          if (member) return member.onEnd(close);
          return { onEnd: () => close() };
        },
        // A stream that fails ends too (its onEnd is not told of a failure).
        onSubscribeError: () => close(),
      };
    },
  };
  return { plugin };
}
