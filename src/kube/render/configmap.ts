import type { V1ConfigMap } from '@kubernetes/client-node';
import type { FileMount } from '../../domain/config-types.js';
import { ANNOTATION_FILE_PATHS, names, revisionLabels, type NameTarget } from './names.js';

/**
 * The ConfigMap key of the i-th file mount: `<i>-<basename>` with every character outside
 * [-._a-zA-Z0-9] replaced by `_` and cut to 200 characters, so keys are valid and unique.
 */
export function fileMountKey(path: string, index: number): string {
  const basename = path.replace(/\/+$/, '').split('/').pop() || 'file';
  return `${index}-${basename.replace(/[^-._a-zA-Z0-9]/g, '_')}`.slice(0, 200);
}

/** Revision N's file mounts, one key per file (mounted at its path through subPath); null when none. */
export function renderConfigMap(t: NameTarget & { namespace: string }, revision: number, fileMounts: FileMount[]): V1ConfigMap | null {
  if (fileMounts.length === 0) return null;
  const data: Record<string, string> = {};
  fileMounts.forEach((f, i) => (data[fileMountKey(f.path, i)] = f.content));
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: names.configMap(t, revision),
      namespace: t.namespace,
      labels: revisionLabels(t, revision),
      annotations: { [ANNOTATION_FILE_PATHS]: JSON.stringify(fileMounts.map((f) => f.path)) },
    },
    // A revision is frozen: its files never change.
    immutable: true,
    data,
  };
}
