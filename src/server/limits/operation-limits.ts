import type { ExecutionArgs, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../../config.js';
import { memberEndOf } from '../../live/fanout/member-end.js';
import type { Context } from '../../schema/context.js';
import { limitError } from './errors.js';
import { listLimitRefusals } from './list-limit.js';
import { operationCost } from './query-cost.js';
import { createRateLimiter } from './rate-limit.js';
import { createSubscriptionCap, releaseOnEnd, type SubscriptionCap } from './subscription-cap.js';
import { admittedOnce } from './admitted-once.js';

/** What an operation refused by a limit counts against its token's rate: a client that keeps sending them is slowed ten times sooner. */
export const REFUSAL_WEIGHT = 10;

export type OperationLimitsConfig = Pick<Config, 'maxQueryCost' | 'maxListArgument' | 'rateLimitPerMinute' | 'maxSubscriptionsPerToken'>;

export interface OperationLimits {
  /** Counts one operation of the token against its rate (every transport, before parsing); the refusal when over it. */
  admit(tokenId: number): GraphQLError | null;
  /** The token's operation was refused by a limit (too deep, too costly, a list too long, a body that does not parse …; see isPenalized): it counts REFUSAL_WEIGHT operations in all. */
  refused(tokenId: number): void;
  /** The list, cost and subscription limits, checked when an operation is about to run. */
  plugin: Plugin<Context>;
  /** The open subscriptions per API token (HTTP/SSE and graphql-ws together). */
  subscriptions: SubscriptionCap;
}

/**
 * The per-token limits: its rate (`admit`, which each transport calls as soon as it knows the caller,
 * before the operation is parsed, so that HTTP, SSE and graphql-ws count together and refused
 * operations count too), and — when an operation is about to run (every transport runs operations
 * through yoga's envelop) — the operation's estimated cost (its variables decide page sizes) and, for
 * a subscription, the token's open subscriptions. A refused operation runs nothing; its result is
 * the error. `clock` (ms) drives the rate limiter.
 */
export function createOperationLimits(config: OperationLimitsConfig, clock: () => number = Date.now): OperationLimits {
  const rate = createRateLimiter(config.rateLimitPerMinute, clock);
  const subscriptions = createSubscriptionCap(config.maxSubscriptionsPerToken);

  // One refusal per wait in seconds (at most two minutes' worth): a flood of refused requests builds no error (and stack) each.
  const rateLimited = new Map<number, GraphQLError>();
  const admit = (tokenId: number): GraphQLError | null => {
    const taken = rate.take(tokenId);
    if (taken.allowed) return null;
    const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
    let refusal = rateLimited.get(seconds);
    if (!refusal) rateLimited.set(seconds, (refusal = rateLimitError(seconds)));
    return refusal;
  };
  const rateLimitError = (seconds: number) =>
    limitError(
      `Rate limit exceeded: this API token may run ${plural(config.rateLimitPerMinute, 'operation')} per minute (CAIRN_RATE_LIMIT_PER_MINUTE); retry in ${seconds} s.`,
      'RATE_LIMITED',
      { limit: config.rateLimitPerMinute, retryAfterSeconds: seconds, status: 429, headers: { 'Retry-After': String(seconds) } },
    );

  /** Why the operation may not run (lists too long, its cost), or null. */
  const refusal = admittedOnce((args: ExecutionArgs): GraphQLError[] | null => {
    const tooLong = listLimitRefusals(args.schema, args.document, args.operationName, args.variableValues, config.maxListArgument);
    if (tooLong.length > 0) return tooLong;
    const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues);
    if (cost > config.maxQueryCost) {
      return [
        limitError(
          `Query cost limit of ${config.maxQueryCost} exceeded, estimated ${cost} (CAIRN_MAX_QUERY_COST): ask for smaller pages (first/last) or fewer nested lists.`,
          'QUERY_TOO_COSTLY',
          { limit: config.maxQueryCost },
        ),
      ];
    }
    return null;
  });

  const plugin: Plugin<Context> = {
    onExecute({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) setResultAndStopExecution({ errors: refused });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const refused = refusal(args);
      if (refused) {
        setResultAndStopExecution({ errors: refused });
        return;
      }
      const tokenId = (args.contextValue as Context | undefined)?.viewer?.tokenId;
      if (tokenId === undefined) return;
      const release = subscriptions.acquire(tokenId);
      if (!release) {
        setResultAndStopExecution({
          errors: [
            limitError(
              `Too many open subscriptions: this API token may have ${config.maxSubscriptionsPerToken} open at once (CAIRN_MAX_SUBSCRIPTIONS_PER_TOKEN); close one first.`,
              'TOO_MANY_SUBSCRIPTIONS',
              { limit: config.maxSubscriptionsPerToken, status: 429 },
            ),
          ],
        });
        return;
      }
      return {
        onSubscribeResult({ result, setResult }) {
          // A subscription that failed to start (an error result) holds no slot. A grouped member
          // (src/live/fanout/member-end.ts) gives its slot back when it ends, without a wrapper.
          const member = memberEndOf(result);
          if (member) member.onEnd(release);
          else if (isAsyncIterable(result)) setResult(releaseOnEnd(result, release));
          else release();
        },
      };
    },
  };
  const refused = (tokenId: number) => rate.charge(tokenId, REFUSAL_WEIGHT - 1);
  return { admit, refused, plugin, subscriptions };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}
