/**
 * Kubernetes API errors as data: every failure of a call is mapped to one of five kinds, and calls
 * that may succeed on a second try (Unavailable, Conflict) are retried with capped exponential
 * back-off. A request that got no answer in time (bounded-kubeconfig.ts) is Unavailable. Each
 * retried and each failed request is logged at debug with its cluster, verb, object and status.
 */
import { objectOf, requestOf } from './kube-request.js';

export type KubeErrorKind = 'NotFound' | 'Conflict' | 'Invalid' | 'Forbidden' | 'Unavailable';

export interface KubeError {
  kind: KubeErrorKind;
  /** The API server's message (a Status body's `message`) or the network error's; never credentials. */
  message: string;
  /** The HTTP status, when there was a response. */
  status: number | null;
  /** The Status body's `reason` (AlreadyExists, Conflict, Invalid, Forbidden …), when the API server gave one. */
  reason?: string;
  /** The object the refused call was about, when the caller knows it. */
  object?: KubeObjectRef;
  /** Set by a caller that knows better than the status: true when repeating the call cannot help, false when it can. */
  permanent?: boolean;
}

/** Which object a call was about: `Deployment cairn-shop/shop-production-r2`. */
export interface KubeObjectRef {
  kind: string;
  namespace?: string;
  name: string;
}

export type KubeResult<T> = { ok: true; value: T } | { ok: false; error: KubeError };

export const ok = <T>(value: T): KubeResult<T> => ({ ok: true, value });
export const fail = <T = never>(error: KubeError): KubeResult<T> => ({ ok: false, error });

/** Maps an HTTP status to its kind (unknown 4xx are Invalid: repeating the same call will not help). */
export function kindOfStatus(status: number): KubeErrorKind {
  if (status === 404 || status === 410) return 'NotFound';
  if (status === 409) return 'Conflict';
  if (status === 401 || status === 403) return 'Forbidden';
  if (status === 429 || status >= 500) return 'Unavailable';
  return 'Invalid';
}

function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** The Status body's `reason`, when there is one. */
function statusReason(body: unknown): string | undefined {
  const value = parsedBody(body) as { reason?: unknown } | undefined;
  return value && typeof value === 'object' && typeof value.reason === 'string' && value.reason ? value.reason : undefined;
}

function statusMessage(body: unknown): string | null {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return body.trim() ? body.trim().slice(0, 500) : null;
    }
  }
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') {
    return (value as { message: string }).message;
  }
  return null;
}

/**
 * Maps anything a client-node call throws: an ApiException (`code`, `body`), a network error
 * (ECONNREFUSED, reset, timeout → Unavailable), or a thrown KubeError.
 */
export function toKubeError(error: unknown): KubeError {
  if (isKubeError(error)) return error;
  const e = error as { code?: unknown; body?: unknown; message?: unknown; cause?: unknown } | null;
  if (e && typeof e.code === 'number' && e.code >= 100 && e.code < 600) {
    const status = e.code;
    const reason = statusReason(e.body);
    return { kind: kindOfStatus(status), message: statusMessage(e.body) ?? `HTTP ${status}`, status, ...(reason ? { reason } : {}) };
  }
  const message = e && typeof e.message === 'string' ? e.message : String(error);
  return { kind: 'Unavailable', message: message.replace(/Bearer\s+\S+/gi, 'Bearer ***'), status: null };
}

export function isKubeError(value: unknown): value is KubeError {
  const v = value as KubeError | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.message === 'string' &&
    ['NotFound', 'Conflict', 'Invalid', 'Forbidden', 'Unavailable'].includes(v.kind as string) &&
    !(value instanceof Error)
  );
}

export interface RetryOptions {
  /** Attempts in all (default 5). */
  attempts?: number;
  /** First delay in ms (default 100), doubled each time up to maxDelayMs (default 2000). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Which kinds are retried (default Unavailable and Conflict). */
  retryOn?: KubeErrorKind[];
  signal?: AbortSignal;
  /** Where each retried and each failed request is told, at debug (pino's signature). */
  logger?: { debug(fields: object, message: string): void };
  /** Waits between attempts (default: a timer that the signal cuts short); tests inject one. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Runs `call`, mapping what it throws; retries Unavailable/Conflict with capped exponential back-off and jitter. */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<KubeResult<T>> {
  const attempts = options.attempts ?? 5;
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 2000;
  const retryOn = options.retryOn ?? ['Unavailable', 'Conflict'];
  const wait = options.sleep ?? sleep;
  let last: KubeError = { kind: 'Unavailable', message: 'not attempted', status: null };
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (attempt > 0) {
      const delay = Math.min(max, base * 2 ** (attempt - 1));
      await wait(delay / 2 + Math.random() * (delay / 2), options.signal);
      if (options.signal?.aborted) break;
    }
    try {
      return ok(await call());
    } catch (error) {
      last = toKubeError(error);
      const retrying = retryOn.includes(last.kind) && attempt + 1 < attempts && !options.signal?.aborted;
      logFailure(options.logger, error, last, attempt + 1, retrying);
      if (!retrying) return fail(last);
    }
  }
  return fail(last);
}

/** One debug line per failed attempt: which request (when the client told it), how it failed, whether it is tried again. */
function logFailure(logger: RetryOptions['logger'], thrown: unknown, error: KubeError, attempt: number, retrying: boolean): void {
  if (!logger) return;
  const request = requestOf(thrown);
  const fields = {
    ...(request ? { cluster: request.cluster, verb: request.verb, object: objectOf(request) } : {}),
    status: error.status,
    kind: error.kind,
    error: error.message,
    attempt,
  };
  logger.debug(fields, retrying ? 'cluster request failed; retrying' : 'cluster request failed');
}

/** Unwraps a result inside a function that itself returns a result (throws the KubeError, see `attempt`). */
export function unwrap<T>(result: KubeResult<T>): T {
  if (!result.ok) throw result.error;
  return result.value;
}

/** Runs a multi-step operation whose steps `unwrap`, turning a thrown KubeError (or anything) into a result. */
export async function attempt<T>(run: () => Promise<T>): Promise<KubeResult<T>> {
  try {
    return ok(await run());
  } catch (error) {
    return fail(toKubeError(error));
  }
}
