import type { KubeResult } from '../kube/kube-errors.js';
import type { EnvironmentObservation, EnvironmentTarget, PortMapping, RevisionInCluster, RevisionSpec } from '../kube/workloads-types.js';

export type { EnvironmentObservation, EnvironmentTarget, RevisionInCluster, RevisionSpec };

/**
 * The part of cairn's Kubernetes layer (src/kube/workloads.ts, `createWorkloads`) the engine uses.
 * Every call is idempotent and returns its errors as data.
 */
export interface KubePort {
  ensureBase(target: EnvironmentTarget, ports: PortMapping[]): Promise<KubeResult<unknown>>;
  /** The namespace (and cairn's RoleBinding in it) alone, ahead of a first release (absent: made by ensureBase only). */
  prepareNamespace?(target: EnvironmentTarget): Promise<KubeResult<unknown>>;
  ensureRevision(target: EnvironmentTarget, revision: RevisionSpec, replicas: number, options?: { partition?: number }): Promise<KubeResult<unknown>>;
  scaleRevision(target: EnvironmentTarget, revisionNumber: number, replicas: number): Promise<KubeResult<unknown>>;
  setPartition(target: EnvironmentTarget, partition: number): Promise<KubeResult<unknown>>;
  deleteInstances(target: EnvironmentTarget, podNames: string[]): Promise<KubeResult<unknown>>;
  removeRevision(target: EnvironmentTarget, revisionNumber: number): Promise<KubeResult<unknown>>;
  /**
   * The revisions whose workloads the cluster holds (to prune old ones), plus `candidates`: revision
   * numbers whose ConfigMap and Secret may be left (cairn never lists those; it deletes them by name).
   */
  listRevisionsInCluster(target: EnvironmentTarget, candidates?: readonly number[]): Promise<KubeResult<RevisionInCluster[]>>;
  observeEnvironment(target: EnvironmentTarget): Promise<KubeResult<EnvironmentObservation>>;
  /** Calls `onChange` (debounced) whenever the environment's pods, workloads or events change, until `signal` aborts. */
  watchEnvironment(target: EnvironmentTarget, onChange: () => void, signal: AbortSignal): unknown;
}
