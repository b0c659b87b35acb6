/** The cluster-facing operations that differ between a stateless and a stateful app (see index.ts). */
import type { V1Deployment, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { AppType, EnvironmentTarget, ObservedInstance, ObservedRevision, ObservedStatefulSet, PortMapping, RevisionInCluster, RevisionSpec } from '../workloads-types.js';
import type { WorkloadContext } from './context.js';

/** The informer kind (and API resource) a strategy's workloads live under. */
export type WorkloadInformerKind = 'deployments' | 'statefulsets';

/** A Deployment or a StatefulSet, as the API or an informer's cache gives it. */
export type WorkloadObject = V1Deployment | V1StatefulSet;

/** What a workload tells of a revision it holds. */
export type WorkloadRevision = RevisionInCluster;

/** The revisions the workloads hold, by number (observedRevisions adds those only pods still show, and sorts). */
export interface WorkloadRevisions {
  revisions: Map<number, ObservedRevision>;
  /** Stateful apps only: the environment's StatefulSet, or null when missing. */
  statefulSet: ObservedStatefulSet | null;
}

export interface EnsureWorkloadOptions {
  /** Stateful only: see EnsureRevisionOptions in workloads.ts. */
  partition?: number;
}

export interface WorkloadStrategy {
  readonly appType: AppType;
  /** The informer kind the environment's workloads live under. */
  readonly informerKind: WorkloadInformerKind;

  /** The Services the workloads need besides the environment's own (pure): the stateful pods' headless Service. */
  baseServices(target: EnvironmentTarget, ports: PortMapping[]): V1Service[];
  /** Brings the revision's workload to `replicas` (its ConfigMap and Secret exist already). */
  ensureWorkload(k: WorkloadContext, target: EnvironmentTarget, revision: RevisionSpec, replicas: number, options: EnsureWorkloadOptions): Promise<void>;
  /** Scales the revision's workload (NotFound when it is missing). */
  scale(k: WorkloadContext, target: EnvironmentTarget, revisionNumber: number, replicas: number): Promise<void>;
  /** Sets rollingUpdate.partition (stateful; a stateless app has none: Invalid). */
  setPartition(k: WorkloadContext, target: EnvironmentTarget, partition: number): Promise<void>;
  /** Removes the revision's workload, or refuses (Invalid) when it cannot go; ConfigMap and Secret are the caller's. */
  removeWorkload(k: WorkloadContext, target: EnvironmentTarget, revisionNumber: number): Promise<void>;
  /** Lists the environment's workloads (and what else it needs) and tells the revisions they hold. */
  listWorkloadRevisions(k: WorkloadContext, target: EnvironmentTarget): Promise<WorkloadRevision[]>;

  /**
   * The revisions the environment's workloads hold (pure), first found first: `workloads` are the
   * environment's (label-selected) objects of `informerKind`, `pods` its pods.
   */
  workloadRevisions(target: EnvironmentTarget, workloads: readonly WorkloadObject[], pods: readonly V1Pod[]): WorkloadRevision[];
  /**
   * What the workloads ask of each revision (pure): `workloads` are the environment's objects of
   * `informerKind`, `live` its instances that are not terminating.
   */
  observeWorkloads(target: EnvironmentTarget, workloads: readonly WorkloadObject[], live: readonly ObservedInstance[]): WorkloadRevisions;
}
