import type { V1Secret } from '@kubernetes/client-node';
import type { EnvVar } from '../../domain/config-types.js';
import { names, revisionLabels, type NameTarget } from './names.js';

/** The Secret key of an env var: its name when that is a valid key ([-._a-zA-Z0-9]+), else `env-<index>`. */
export function secretKey(name: string, index: number): string {
  return /^[-._a-zA-Z0-9]{1,253}$/.test(name) && name !== '.' && name !== '..' ? name : `env-${index}`;
}

/** Revision N's secret env vars, one key per variable (base64 data); null when none. */
export function renderSecret(t: NameTarget & { namespace: string }, revision: number, env: EnvVar[]): V1Secret | null {
  if (!env.some((e) => e.secret)) return null;
  const data: Record<string, string> = {};
  env.forEach((e, i) => {
    if (e.secret) data[secretKey(e.name, i)] = Buffer.from(e.value, 'utf8').toString('base64');
  });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.secret(t, revision), namespace: t.namespace, labels: revisionLabels(t, revision) },
    type: 'Opaque',
    immutable: true,
    data,
  };
}
