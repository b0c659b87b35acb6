import { z } from 'zod';
import { CONTROL_MESSAGE, hasControl } from './text-rules.js';

/** A DNS-1123 label: lower-case letters, digits and '-', starting and ending alphanumeric. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const dnsLabel = (max: number) =>
  z
    .string()
    .min(1, { error: 'Required.', abort: true })
    .max(max, { error: `At most ${max} characters.`, abort: true })
    .regex(DNS_LABEL, "Use lower-case letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label).");

export const APP_NAME_MAX = 40;

/** The namespace of an app's environments (each environment is on its own cluster). */
export const namespaceFor = (appName: string) => `cairn-${appName}`;

/** An environment variable name: a C identifier. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A container image reference without tag or digest, e.g. `nginx` or `registry.example.com:5000/team/app`. */
export const IMAGE_REFERENCE = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]{1,5})?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/** A Docker image tag. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** An absolute POSIX path without '..' segments. */
export const absolutePath = () =>
  z
    .string()
    .min(1, { error: 'Required.', abort: true })
    .max(4096, { error: 'At most 4096 characters.', abort: true })
    .refine((p) => p.startsWith('/'), { message: "Must be an absolute path (start with '/').", params: { code: 'INVALID_FORMAT' }, abort: true })
    .refine((p) => !p.split('/').includes('..'), { message: "Must not contain '..' segments.", params: { code: 'INVALID_FORMAT' } })
    .refine((p) => !hasControl(p), { message: CONTROL_MESSAGE, params: { code: 'INVALID_FORMAT' } });

/** Normalises an absolute path for comparisons: no trailing or doubled slashes, no '.' segments. */
export function normalisePath(p: string): string {
  const parts = p.split('/').filter((s) => s !== '' && s !== '.');
  return '/' + parts.join('/');
}

/** Whether `inner` is strictly inside the directory `outer`. */
export function isInside(inner: string, outer: string): boolean {
  const a = normalisePath(inner);
  const b = normalisePath(outer);
  return a !== b && (b === '/' || a.startsWith(b + '/'));
}
