/**
 * pods/log: validated here, then forwarded to the node's kubelet; answered as text/plain, streamed
 * (chunked) while `follow` is set, with RFC 3339 timestamps when asked and cut at limitBytes. Over a
 * WebSocket the same chunks go out as messages (log-stream.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LogLine, LogOptions } from '../kubelet-api.js';
import { badRequest } from './errors.js';
import { isTrue } from './request-info.js';
import { getOrNotFound } from './objects.js';
import { kubeletFor, resolveContainer } from './pod-containers.js';
import type { ApiContext, Target } from './context.js';

function integer(query: URLSearchParams, name: string, min: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw badRequest(`${name}: Invalid value: "${raw}": must be an integer`);
  if (n < min) throw badRequest(`PodLogOptions "" is invalid: ${name}: Invalid value: ${n}: must be greater than ${min === 0 ? 'or equal to 0' : min - 1}`);
  return n;
}

export function logOptions(query: URLSearchParams, container: string): LogOptions {
  const options: LogOptions = { container, follow: isTrue(query.get('follow')), timestamps: isTrue(query.get('timestamps')), previous: isTrue(query.get('previous')) };
  const tailLines = integer(query, 'tailLines', 0);
  const sinceSeconds = integer(query, 'sinceSeconds', 1);
  const limitBytes = integer(query, 'limitBytes', 1);
  const sinceTime = query.get('sinceTime') ?? undefined;
  if (sinceSeconds !== undefined && sinceTime !== undefined) throw badRequest('PodLogOptions "" is invalid: sinceSeconds: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) throw badRequest(`sinceTime: Invalid value: "${sinceTime}": must be RFC 3339`);
  if (tailLines !== undefined) options.tailLines = tailLines;
  if (sinceSeconds !== undefined) options.sinceSeconds = sinceSeconds;
  if (sinceTime !== undefined) options.sinceTime = sinceTime;
  if (limitBytes !== undefined) options.limitBytes = limitBytes;
  return options;
}

/**
 * The container log a pods/log request asks for, from the pod's kubelet (KubeletError → Status, thrown
 * before anything is written); undefined for a pod that has no node yet, which has no log.
 */
export async function openLogs(ctx: ApiContext, t: Target, signal: AbortSignal): Promise<{ lines: AsyncIterable<LogLine>; options: LogOptions } | undefined> {
  const pod = getOrNotFound(ctx, t);
  const container = resolveContainer(pod, t.query.get('container') ?? undefined);
  const options = logOptions(t.query, container);
  const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  if (!nodeName) return undefined;
  const kubelet = kubeletFor(ctx, nodeName, `/containerLogs/${t.namespace}/${t.name}/${container}`);
  return { lines: await kubelet.logs(t.namespace!, t.name!, options, signal), options };
}

export async function serveLogs(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, t: Target) {
  const abort = new AbortController();
  const onGone = () => abort.abort(new Error('client went away'));
  res.on('close', onGone); // the connection went (or the response ended)
  try {
    const log = await openLogs(ctx, t, abort.signal);
    if (!log) {
      // A pod that has no node yet has no log: a real API server answers with an empty body.
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
      res.end();
      return;
    }
    await writeLogLines(res, log.lines, log.options, abort.signal);
  } finally {
    res.off('close', onGone);
    abort.abort();
  }
}

/** The log as the kubelet writes it: one chunk per line, RFC 3339 timestamps when asked, cut at limitBytes. */
export async function* logChunks(lines: AsyncIterable<LogLine>, options: LogOptions, signal: AbortSignal): AsyncGenerator<Buffer> {
  let budget = options.limitBytes ?? Infinity;
  try {
    for await (const line of lines) {
      if (signal.aborted) return;
      let bytes = Buffer.from(`${options.timestamps ? `${line.timestamp} ` : ''}${line.text}\n`);
      if (bytes.length > budget) bytes = bytes.subarray(0, budget);
      yield bytes;
      budget -= bytes.length;
      if (budget <= 0) return;
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}

/** Writes a container's log lines as the kubelet answers (text/plain, chunked, flushed at once when following), cut at limitBytes. */
export async function writeLogLines(res: ServerResponse, lines: AsyncIterable<LogLine>, options: LogOptions, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  if (options.follow) res.flushHeaders();
  try {
    for await (const chunk of logChunks(lines, options, signal)) res.write(chunk);
  } finally {
    if (!res.writableEnded) res.end();
  }
}
