/**
 * Kubernetes `Status` bodies for every error the API server returns, and the helpers that write them.
 * Shapes follow k8s.io/apimachinery/pkg/api/errors.
 */
import type { ServerResponse } from 'node:http';
import { StoreError } from '../store/types.js';
import { KubeletError } from '../kubelet-api.js';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

/** An error that the API server answers with a Status of this code and reason. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  // An empty reason (StatusReasonUnknown, for errors that are not API errors) is left out, as Go's JSON omits it.
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, ...(reason ? { reason } : {}), code };
  if (details) status.details = details;
  return status;
}

export const notFoundPath = () =>
  new ApiError(404, 'NotFound', 'the server could not find the requested resource', {});
export const methodNotAllowed = () =>
  new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});
export const badRequest = (message: string) => new ApiError(400, 'BadRequest', message);
export const notFound = (resource: string, name: string, group = '') =>
  new ApiError(404, 'NotFound', `${group ? `${resource}.${group}` : resource} "${name}" not found`, {
    name,
    group: group || undefined,
    kind: resource,
  });

/** Turns anything thrown while serving a request into a Status. */
export function toStatus(error: unknown): { status: Status; headers: Record<string, string> } {
  if (error instanceof ApiError) return { status: failure(error.code, error.reason, error.message, error.details), headers: error.headers };
  if (error instanceof StoreError) {
    const details = error.details ? JSON.parse(JSON.stringify(error.details)) : undefined;
    const reason = error.reason === 'Gone' ? 'Expired' : error.reason;
    return { status: failure(error.code, reason, error.message, details), headers: {} };
  }
  if (error instanceof KubeletError) return { status: failure(error.code, error.reason, error.message), headers: {} };
  // Duck-typed StoreError / KubeletError from another module instance.
  const e = error as { code?: unknown; reason?: unknown; message?: unknown };
  if (typeof e?.code === 'number' && e.code >= 400 && e.code < 600 && typeof e.reason === 'string') {
    return { status: failure(e.code, e.reason, String(e.message ?? e.reason)), headers: {} };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { status: failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }), headers: {} };
}

export function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): number {
  const { status, headers } = toStatus(error);
  sendJson(res, status.code, status, headers);
  return status.code;
}
