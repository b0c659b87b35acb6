/**
 * Answers of queries served again while nothing they could read changed: a console page asked by
 * many browsers (or polled) runs once per change, not once per request.
 *
 * An answer is kept per (document, operation, variables, token) — so each token only ever gets what
 * it was allowed to read — and served again while the data version is the same (every database write
 * and every change seen by the informer caches moves it: a role change, a revocation, a new order, a
 * pod that became Ready …) and it is younger than `maxAgeMs` (what is derived from the clock, such as
 * an instance's age-based failure, is at most that old). Only queries; mutations, subscriptions and
 * answers with errors are never kept. The number of answers kept is bounded.
 */
import { getOperationAST, type DocumentNode, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../schema/context.js';

export interface ResponseCacheOptions {
  /** What the answers depend on, as one string that changes with every write and cluster change. */
  version(): string;
  /** The longest an answer is served again (0: never). */
  maxAgeMs: number;
  /** Answers kept at most (oldest dropped first; default 1 000). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  version: string;
  at: number;
  result: ExecutionResult;
}

export function useResponseCache(options: ResponseCacheOptions): Plugin<Context> {
  const { maxAgeMs, maxEntries = 1_000, now = Date.now } = options;
  /** The data version, or null when it cannot be told (then nothing is served from or kept in the cache). */
  const version = (): string | null => {
    try {
      return options.version();
    } catch {
      return null;
    }
  };
  const entries = new Map<string, Entry>();
  /** Parsed documents are shared per query text by yoga's parser cache: one number each. */
  const documents = new WeakMap<DocumentNode, number>();
  let nextDocument = 1;
  /** The version the kept answers were computed at: once it moves, none of them can be served again. */
  let keptAt = '';
  const documentId = (document: DocumentNode) => {
    let id = documents.get(document);
    if (id === undefined) documents.set(document, (id = nextDocument++));
    return id;
  };

  /** The answers being computed, by key: what a request for the same answer at the same version may wait for. */
  const inflight = new Map<string, { version: string; answer: Promise<ExecutionResult | null> }>();

  /** Executes (the caller goes on to), keeping the answer when it may be kept and handing it to those who wait for it. */
  const compute = (key: string, current: string) => {
    const startedAt = now();
    let settle!: (answer: ExecutionResult | null) => void;
    const mine = { version: current, answer: new Promise<ExecutionResult | null>((resolve) => (settle = resolve)) };
    inflight.set(key, mine);
    const finish = (answer: ExecutionResult | null) => {
      if (inflight.get(key) === mine) inflight.delete(key);
      settle(answer);
    };
    const onExecuteDone = ({ result }: { result: unknown }) => {
      if (Symbol.asyncIterator in (result as object)) return finish(null);
      const done = result as ExecutionResult;
      // An answer is kept (and shared) only when it has no errors and nothing changed while it was being computed.
      if (done.errors?.length || version() !== current || keptAt !== current) return finish(null);
      const kept = serializedOnce(done);
      entries.delete(key);
      entries.set(key, { version: current, at: startedAt, result: kept });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
      finish(kept);
    };
    /** `hooks`: the execution's (its answer is kept and handed over); `abandon`: it threw, nothing to hand over. */
    return { hooks: { onExecuteDone }, abandon: () => finish(null) };
  };

  return {
    async onExecute({ args, setResultAndStopExecution, executeFn, setExecuteFn }) {
      if (maxAgeMs <= 0) return;
      const tokenId = args.contextValue.viewer?.tokenId;
      if (tokenId === undefined || getOperationAST(args.document, args.operationName)?.operation !== 'query') return;
      const key = JSON.stringify([documentId(args.document), args.operationName ?? null, tokenId, args.variableValues ?? {}]);
      const current = version();
      if (current === null) return;
      if (current !== keptAt) {
        entries.clear();
        keptAt = current;
      }
      const hit = entries.get(key);
      if (hit && hit.version === current && now() - hit.at <= maxAgeMs) {
        setResultAndStopExecution(hit.result);
        return;
      }
      // The same answer being computed right now (ten browsers whose answer expired together): wait for it rather than
      // compute it ten times — at most as long as an answer may be served, then compute it here.
      const computing = inflight.get(key);
      if (computing && computing.version === current) {
        const shared = await within(computing.answer, maxAgeMs);
        if (shared && version() === current) {
          setResultAndStopExecution(shared);
          return;
        }
        if (inflight.get(key) === computing) inflight.delete(key); // it never finished (an execution that threw)
      }
      const mine = compute(key, current);
      // An execution that throws (rather than answering errors) ends the wait of those who wait for it too.
      setExecuteFn(async (executeArgs) => {
        try {
          return await executeFn(executeArgs);
        } catch (error) {
          mine.abandon();
          throw error;
        }
      });
      return mine.hooks;
    },
  };
}

/**
 * `result`, answering its JSON text from the first time it is asked on: yoga serializes a result through its
 * `stringify` when it has one, so an answer served again (a console page of 50 apps is about 180 KB) is not
 * serialized again for every request. Only answers without errors are kept, and yoga serializes those as they are.
 */
function serializedOnce(result: ExecutionResult): ExecutionResult {
  let text: string | undefined;
  Object.defineProperty(result, 'stringify', {
    enumerable: false,
    value: (value: unknown) => (value === result ? (text ??= JSON.stringify(result)) : JSON.stringify(value)),
  });
  return result;
}

/** What `answer` resolves to within `ms`; null after that. */
function within<T>(answer: Promise<T | null>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
    timer.unref();
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}
