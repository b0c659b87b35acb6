/** The shapes the release engine exchanges with cairn's Kubernetes layer (see workloads.ts). */
import type { ConfigSettings, PortMapping } from '../domain/config-types.js';

export type AppType = 'STATELESS' | 'STATEFUL';
export type EnvironmentKind = 'PRODUCTION' | 'TEST';

/** Where an environment runs. `namespace` is the environment's (cairn-<app>). */
export interface EnvironmentTarget {
  /** The cluster's name in the ClusterRegistry (its kubeconfig context). */
  cluster: string;
  namespace: string;
  appName: string;
  appType: AppType;
  environmentKind: EnvironmentKind;
}

/** A frozen revision as the engine holds it. */
export interface RevisionSpec {
  /** 1, 2, 3 … per environment. */
  number: number;
  /** The full image reference with its tag, e.g. `nginx:1.25` (see `imageReference`). */
  image: string;
  settings: ConfigSettings;
  /** Written as the `cairn.dev/release-order` annotation when given. */
  releaseOrderId?: string | number | null;
}

export type { PortMapping };

/** Why an instance cannot become Ready (besides the engine's own batch deadline). */
export type FailureReason = 'IMAGE_PULL' | 'CRASH_LOOP' | 'OOM_KILLED' | 'POST_START_HOOK_FAILED' | 'UNSCHEDULABLE' | 'CONFIG_ERROR';

export interface InstanceFailure {
  reason: FailureReason;
  /** The human reason: the event's, the container state's or the condition's message. */
  message: string;
  /**
   * Kubernetes' own word for it: the container's waiting reason (ErrImagePull, ImagePullBackOff,
   * CreateContainerConfigError, CrashLoopBackOff …), its termination reason (OOMKilled), the event's
   * reason (FailedPostStartHook) or the condition's (Unschedulable).
   */
  kubernetesReason?: string;
}

export interface ObservedContainer {
  name: string;
  /** 'waiting' | 'running' | 'terminated' | 'unknown'. */
  state: 'waiting' | 'running' | 'terminated' | 'unknown';
  /** The state's reason (ContainerCreating, CrashLoopBackOff, OOMKilled, Completed …). */
  reason: string | null;
  message: string | null;
  exitCode: number | null;
  ready: boolean;
  restarts: number;
  /** The reason of the last termination (lastState.terminated.reason), e.g. OOMKilled, Error. */
  lastTerminationReason: string | null;
}

/** One pod of the environment. */
export interface ObservedInstance {
  name: string;
  /** The revision the pod runs (its cairn.dev/revision label); null for a pod without it. */
  revision: number | null;
  /** Pending | Running | Succeeded | Failed | Unknown. */
  phase: string;
  /** The Ready condition is True (and the pod is not being deleted). */
  ready: boolean;
  /** Being deleted (deletionTimestamp set): it no longer counts. */
  terminating: boolean;
  restarts: number;
  node: string | null;
  ip: string | null;
  /** metadata.creationTimestamp: the engine's batch deadline starts here. */
  createdAt: Date;
  containers: ObservedContainer[];
  failure: InstanceFailure | null;
  /**
   * The pod's latest Warning event (e.g. `Unhealthy`: "Readiness probe failed: HTTP probe failed
   * with statuscode: 503"), so that an instance that misses the batch deadline can say why.
   */
  lastWarning: { reason: string; message: string; at: Date } | null;
}

/** One revision's workload as the cluster shows it. */
export interface ObservedRevision {
  number: number;
  /**
   * Stateless: the Deployment's spec.replicas. Stateful: the StatefulSet's ordinals this revision
   * holds: those at or above the partition for the template's revision, those below it for the
   * revision their pod runs.
   */
  desired: number;
  /** Pods of this revision that exist and are not terminating. */
  current: number;
  /** Of those, Ready. */
  ready: number;
  /** The Deployment's (or StatefulSet's) name. */
  workload: string;
}

export interface ObservedStatefulSet {
  name: string;
  /** The revision of the StatefulSet's template (cairn.dev/revision). */
  revision: number | null;
  replicas: number;
  partition: number;
  /** status.observedGeneration === metadata.generation. */
  observed: boolean;
}

export interface EnvironmentObservation {
  revisions: ObservedRevision[];
  instances: ObservedInstance[];
  /** Stateful apps only; null when missing or for stateless apps. */
  statefulSet: ObservedStatefulSet | null;
  /** When the observation was made (the `now` of the failure classification). */
  observedAt: Date;
}

/**
 * A revision cairn finds in the cluster by its workloads' labels, or a number the caller named whose
 * ConfigMap and Secret may be left (workload '', no replicas): cairn never lists those.
 */
export interface RevisionInCluster {
  number: number;
  /** Deployment name (stateless) or StatefulSet name (stateful: only its template's revision); '' when none holds it. */
  workload: string;
  replicas: number;
  /** The cairn.dev/release-order annotation, when it was set. */
  releaseOrderId: string | null;
  /** The Deployment is being deleted (removeRevision waits for its pods in the foreground). */
  deleting: boolean;
}

/** One Kubernetes Event about an instance (a "system event" of SPEC §3). */
export interface InstanceEvent {
  /** Normal | Warning. */
  type: string;
  /** Scheduled, Pulling, Pulled, Created, Started, Unhealthy, BackOff, Killing, FailedPostStartHook … */
  reason: string;
  message: string;
  /** How many times it happened (the kubelet aggregates repeats). */
  count: number;
  firstAt: Date | null;
  lastAt: Date | null;
  /** Who reported it (kubelet, default-scheduler …). */
  source: string | null;
}
