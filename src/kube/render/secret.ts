import type { V1Secret } from '@kubernetes/client-node';
import type { EnvVar } from '../../domain/config-types.js';
import { names, revisionLabels, type NameTarget } from './names.js';

/** Revision N's secret env vars, one key per variable name (base64 data); null when none. */
export function renderSecret(t: NameTarget & { namespace: string }, revision: number, env: EnvVar[]): V1Secret | null {
  const secret = env.filter((e) => e.secret);
  if (secret.length === 0) return null;
  const data: Record<string, string> = {};
  for (const e of secret) data[e.name] = Buffer.from(e.value, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: names.secret(t, revision), namespace: t.namespace, labels: revisionLabels(t, revision) },
    type: 'Opaque',
    immutable: true,
    data,
  };
}
