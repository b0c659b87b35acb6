import type { V1Namespace } from '@kubernetes/client-node';
import { LABEL_APP, LABEL_MANAGED_BY, LABEL_NAME, MANAGED_BY } from './names.js';

/** The app's namespace (shared by its environments when they share a cluster: no environment label). */
export function renderNamespace(t: { namespace: string; appName: string }): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: t.namespace, labels: { [LABEL_APP]: t.appName, [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_NAME]: t.appName } },
  };
}
