import type { Protocol } from './config-types.js';

/**
 * Port names. Kubernetes takes a container port's name as an IANA service name (IsValidPortName:
 * at most 15 characters, lower-case letters, digits and '-', at least one letter, no '--', no
 * '-' at either end) and refuses two ports of a container with the same name; a Service with more
 * than one port needs every port named, uniquely. cairn renders a mapping's name verbatim, and an
 * unnamed mapping's Service port as `<protocol>-<port>` (e.g. `tcp-8080`), its fallback name.
 */

/** What is wrong with a port name as an IANA service name, in words; null when it is valid. */
export function portNameProblem(name: string): string | null {
  if (name.length > 15) return 'At most 15 characters (an IANA service name).';
  if (!/^[a-z0-9-]+$/.test(name)) return "Use lower-case letters, digits and '-' (an IANA service name).";
  if (!/[a-z]/.test(name)) return 'A port name contains at least one letter.';
  if (name.includes('--')) return "A port name must not contain '--' (an IANA service name).";
  if (name.startsWith('-') || name.endsWith('-')) return "A port name must not start or end with '-'.";
  return null;
}

/** The Service port name of an unnamed mapping: `<protocol>-<port>`. */
export const fallbackPortName = (p: { containerPort: number; protocol: Protocol }): string => `${p.protocol.toLowerCase()}-${p.containerPort}`;

const FALLBACK_FORM = /^(tcp|udp|sctp)-[0-9]+$/;

/**
 * A name of the fallback form (`tcp-81`) is reserved for the mapping it describes: given to any
 * other mapping, it could be the very name an unnamed mapping's Service port gets. Null when allowed.
 */
export function reservedNameProblem(p: { containerPort: number; protocol: Protocol; name: string }): string | null {
  if (!FALLBACK_FORM.test(p.name) || p.name === fallbackPortName(p)) return null;
  return `"${p.name}" has the form cairn names unnamed ports by (<protocol>-<port>); only the ${p.name.split('-')[0]!.toUpperCase()} port ${p.name.split('-')[1]} may be named so. Name this port ${fallbackPortName(p)}, or choose another name.`;
}
