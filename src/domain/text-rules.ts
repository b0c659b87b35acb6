/**
 * Characters no process can be given. Kubernetes stores them (kube-apiserver v1.20.2 accepts a NUL
 * byte in an env value or an exec command), but a process's environment and arguments are C strings
 * that end at the first NUL: the container runtime cannot start such a container. Control
 * characters in a path or an HTTP probe path are never meant.
 */

/** Whether `s` contains a NUL character. */
export const hasNul = (s: string): boolean => s.includes('\u0000');

/** Whether `s` contains a C0 control character or DEL (tab and newline included). */
// eslint-disable-next-line no-control-regex
export const hasControl = (s: string): boolean => /[\u0000-\u001f\u007f]/.test(s);

export const NUL_MESSAGE = 'Must not contain NUL characters (a process cannot be given them).';
export const CONTROL_MESSAGE = 'Must not contain control characters (NUL, tab, newline …).';
