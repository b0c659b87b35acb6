/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Which of an app's two environments; each runs on its own cluster. */
export type EnvironmentKind =
  /** The production environment, serving real traffic. */
  | 'PRODUCTION'
  /** The test environment. */
  | 'TEST';

/** The kind of an expected failure; every error type has one code. */
export type ErrorCode =
  /** A unique name is taken (AlreadyExistsError). */
  | 'ALREADY_EXISTS'
  /** The object changed since you read it (ConflictError). */
  | 'CONFLICT'
  /** The input was refused; see `problems` (InvalidInputError). */
  | 'INVALID_INPUT'
  /** The action is refused in the current state; the message says why and how to proceed (NotAllowedError). */
  | 'NOT_ALLOWED'
  /** An ID names nothing of the expected type (NotFoundError). */
  | 'NOT_FOUND';

/** How an instance changed. */
export type InstanceChange =
  /** A new instance (pod) appeared. */
  | 'ADDED'
  /** The instance is gone (its last state is given). */
  | 'REMOVED'
  /** The instance changed (status, readiness, restarts, containers …). */
  | 'UPDATED';

/** Why a release order recorded a failure: an instance's problem (as `InstanceProblemReason`), the batch deadline, or a step the cluster refused. */
export type InstanceFailureReason =
  /** The Kubernetes API server refused a step for good (422 Invalid, 403 Forbidden, an object of that name that is not the revision's …); `message` names the step, the object and the API server's answer: fix the cause, then retry, roll back or close the order. */
  | 'CLUSTER_REFUSED'
  /** A container cannot be created from its configuration: a missing ConfigMap or Secret key … (Kubernetes: CreateContainerConfigError, CreateContainerError). */
  | 'CONFIG_ERROR'
  /** A container keeps exiting and is restarted with back-off (Kubernetes: CrashLoopBackOff); `message` carries the last exit code. */
  | 'CRASH_LOOP'
  /** The batch deadline passed: an instance was not Ready by then, was still running when it should have stopped, or a step of the order was still failing then (`message` has its last error). */
  | 'DEADLINE_EXCEEDED'
  /** The image cannot be pulled: a wrong tag or name, or no access to the registry (Kubernetes: ErrImagePull, ImagePullBackOff, InvalidImageName, ErrImageNeverPull). */
  | 'IMAGE_PULL'
  /** A container was killed for going over its memory limit, now or at its last exit (Kubernetes: OOMKilled). */
  | 'OOM_KILLED'
  /** A reason this version of cairn does not classify (a failure recorded by another version): read `message`. */
  | 'OTHER'
  /** The container's PostStart hook failed, so the container was killed (Kubernetes: a FailedPostStartHook event). */
  | 'POST_START_HOOK_FAILED'
  /** No node can run the instance (not enough CPU or memory, no matching node) for longer than cairn waits (Kubernetes: PodScheduled False, Unschedulable). */
  | 'UNSCHEDULABLE';

/** What an instance is doing, derived from its pod's phase, conditions and containers, and its Warning events (the failure classification the release engine uses). */
export type InstanceStatus =
  /** A container cannot be created from its configuration (a missing ConfigMap or Secret key …). */
  | 'CONFIG_ERROR'
  /** A container keeps exiting and is restarted with back-off. */
  | 'CRASH_LOOP'
  /** Its containers exited with failure and will not restart. */
  | 'FAILED'
  /** The image cannot be pulled (wrong tag, no access). */
  | 'IMAGE_PULL_FAILED'
  /** A container was killed for going over its memory limit. */
  | 'OOM_KILLED'
  /** Waiting for a node. */
  | 'PENDING'
  /** The PostStart hook failed, so the container was killed. */
  | 'POST_START_HOOK_FAILED'
  /** Running and passing its readiness check: it takes traffic. */
  | 'READY'
  /** Every container runs, but the readiness check has not passed (yet). */
  | 'RUNNING'
  /** On a node; its containers are being created or started. */
  | 'STARTING'
  /** Its containers exited with success and will not restart. */
  | 'SUCCEEDED'
  /** Being deleted. */
  | 'TERMINATING'
  /** No node can run it (not enough CPU or memory), for over a minute. */
  | 'UNSCHEDULABLE';

/** When a release order pauses by itself; switching it takes effect for the batches still to come. */
export type PauseMode =
  /** Pause after every batch but the last. */
  | 'EVERY_BATCH'
  /** Pause after the first batch until someone resumes, then release the rest without pausing. */
  | 'FIRST_BATCH'
  /** Never pause. */
  | 'NONE';

/** Why one input value was refused. */
export type ProblemCode =
  /** The value repeats another one that must be unique. */
  | 'DUPLICATE'
  /** Exactly one of several alternatives must be set (e.g. http or exec). */
  | 'EXACTLY_ONE'
  /** The value does not have the expected form (name, path, reference …). */
  | 'INVALID_FORMAT'
  /** A mount lies inside another mount. */
  | 'NESTED_MOUNT'
  /** The value is valid on its own but not here (e.g. a liveness successThreshold other than 1). */
  | 'NOT_ALLOWED'
  /** A value is missing or empty. */
  | 'REQUIRED'
  /** The production and test environments name the same cluster. */
  | 'SAME_CLUSTER'
  /** A number (or list) is above its maximum. */
  | 'TOO_LARGE'
  /** A text is longer than allowed. */
  | 'TOO_LONG'
  /** A number (or list) is below its minimum. */
  | 'TOO_SMALL'
  /** No cluster has this name. */
  | 'UNKNOWN_CLUSTER'
  /** The value is not one of the allowed ones (e.g. a business type). */
  | 'UNKNOWN_VALUE';

/** Where a release order stands. DEPLOYING, PAUSED, FAILED and ROLLING_BACK are active: the environment takes no other order meanwhile. */
export type ReleaseOrderState =
  /** Closed by a user before it completed: it counts as failed, and what ran at that moment was left as it was. */
  | 'CLOSED'
  /** Every batch is done: every instance runs the order's revision and passes its readiness check. */
  | 'COMPLETED'
  /** Batches are being released, one after another. */
  | 'DEPLOYING'
  /** Instances of the batch in progress failed, or the cluster refused a step of it (CLUSTER_REFUSED), or a step kept failing until the batch deadline (see `failureReason` and `failures`); retry, roll back, or close the order. */
  | 'FAILED'
  /** Stopped after a batch, as the pause mode asked; resume it to go on. */
  | 'PAUSED'
  /** The environment runs the previous revision again (or, after a first release, nothing). */
  | 'ROLLED_BACK'
  /** Returning the environment to the previous revision, in batches of the same plan. */
  | 'ROLLING_BACK';

/** Why an accepted setting deserves a second look. */
export type WarningCode =
  /** Fewer than 2 instances: the app is down while its only instance restarts or is released. */
  | 'FEW_INSTANCES'
  /** A stored log path breaks the log-collection rules (saved before they existed): it is released without its collector variable and volume. */
  | 'LOG_PATH_NOT_COLLECTED'
  /** The release mounts an empty log volume the running revision does not have: what the image ships in that directory is hidden. */
  | 'LOG_VOLUME_ADDED'
  /** An HTTP probe checks a port that is not among the port mappings; the release will likely fail its health checks. */
  | 'PROBE_PORT_NOT_MAPPED';

export type CreateReleaseOrderMutationVariables = Exact<{
  environment: string | number;
  batchCount: number;
  pauseMode: PauseMode;
  description?: string | null | undefined;
}>;


export type CreateReleaseOrderMutation = { createReleaseOrder:
    | { __typename: 'ActiveReleaseOrderError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'InvalidReleaseConfigError', code: ErrorCode, message: string }
    | { __typename: 'NoChangesError', code: ErrorCode, message: string }
    | { __typename: 'NotAllowedError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'ReleaseOrderPayload', releaseOrder: { id: string, state: ReleaseOrderState, batchSizes: Array<number>, revision: { number: number, imageReference: string } } }
   };

export type FindEnvironmentQueryVariables = Exact<{
  name: string;
  kind: EnvironmentKind;
}>;


export type FindEnvironmentQuery = { apps: { edges: Array<{ node: { name: string, environment: { id: string, clusterName: string, config: { imageTag: string | null, instances: number, version: number }, deployedRevision: { number: number, imageTag: string } | null, activeReleaseOrder: { id: string, state: ReleaseOrderState } | null } } }> } };

export type FollowReleaseOrderSubscriptionVariables = Exact<{
  id: string | number;
  after?: string | null | undefined;
}>;


export type FollowReleaseOrderSubscription = { releaseOrderFeed:
    | { __typename: 'BufferExceeded', message: string, cursor: string }
    | { __typename: 'InstanceChanged', change: InstanceChange, cursor: string, instance: { name: string, status: InstanceStatus } }
    | { __typename: 'LiveSnapshot', cursor: string }
    | { __typename: 'ReleaseOrderProgress', cursor: string, releaseOrder: { state: ReleaseOrderState, batchesDone: number, batchCount: number } }
    | { __typename: 'ReleaseOrderSnapshot', cursor: string, releaseOrder: { state: ReleaseOrderState, batchesDone: number, batchCount: number }, instances: Array<{ name: string, status: InstanceStatus }> }
    | { __typename: 'SystemEventReceived', cursor: string, event: { type: string, reason: string, instanceName: string, message: string } }
   };

export type PreviewReleaseQueryVariables = Exact<{
  environment: string | number;
  batchCount: number;
}>;


export type PreviewReleaseQuery = { previewRelease:
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'ReleasePreview', imageReference: string | null, batchSizes: Array<number>, changes: Array<{ path: Array<string>, before: string | null, after: string | null }>, warnings: Array<{ code: WarningCode, message: string }>, problems: Array<{ path: Array<string>, code: ProblemCode, message: string }> }
   };

export type ReleaseOrderStateQueryVariables = Exact<{
  id: string | number;
}>;


export type ReleaseOrderStateQuery = { releaseOrder: { id: string, state: ReleaseOrderState, batchesDone: number, batchCount: number, failures: Array<{ instanceName: string, reason: InstanceFailureReason, message: string, resolvedAt: string | null }> } | null };

export type ResumeReleaseOrderMutationVariables = Exact<{
  id: string | number;
}>;


export type ResumeReleaseOrderMutation = { resumeReleaseOrder:
    | { __typename: 'NotAllowedError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'ReleaseOrderPayload', releaseOrder: { state: ReleaseOrderState } }
   };

export type SetImageTagMutationVariables = Exact<{
  environment: string | number;
  imageTag: string;
}>;


export type SetImageTagMutation = { setImageTag:
    | { __typename: 'ConflictError', code: ErrorCode, message: string }
    | { __typename: 'InvalidInputError', code: ErrorCode, message: string }
    | { __typename: 'NotFoundError', code: ErrorCode, message: string }
    | { __typename: 'SetImageTagPayload', config: { imageTag: string | null, version: number } }
   };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}

export const CreateReleaseOrderDocument = new TypedDocumentString(`
    mutation CreateReleaseOrder($environment: ID!, $batchCount: Int!, $pauseMode: PauseMode!, $description: String) {
  createReleaseOrder(
    input: {environment: $environment, batchCount: $batchCount, pauseMode: $pauseMode, description: $description}
  ) {
    __typename
    ... on ReleaseOrderPayload {
      releaseOrder {
        id
        state
        batchSizes
        revision {
          number
          imageReference
        }
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<CreateReleaseOrderMutation, CreateReleaseOrderMutationVariables>;
export const FindEnvironmentDocument = new TypedDocumentString(`
    query FindEnvironment($name: String!, $kind: EnvironmentKind!) {
  apps(first: 5, namePrefix: $name) {
    edges {
      node {
        name
        environment(kind: $kind) {
          id
          clusterName
          config {
            imageTag
            instances
            version
          }
          deployedRevision {
            number
            imageTag
          }
          activeReleaseOrder {
            id
            state
          }
        }
      }
    }
  }
}
    `) as unknown as TypedDocumentString<FindEnvironmentQuery, FindEnvironmentQueryVariables>;
export const FollowReleaseOrderDocument = new TypedDocumentString(`
    subscription FollowReleaseOrder($id: ID!, $after: String) {
  releaseOrderFeed(id: $id, after: $after) {
    __typename
    cursor
    ... on ReleaseOrderSnapshot {
      releaseOrder {
        state
        batchesDone
        batchCount
      }
      instances {
        name
        status
      }
    }
    ... on ReleaseOrderProgress {
      releaseOrder {
        state
        batchesDone
        batchCount
      }
    }
    ... on InstanceChanged {
      change
      instance {
        name
        status
      }
    }
    ... on SystemEventReceived {
      event {
        type
        reason
        instanceName
        message
      }
    }
    ... on BufferExceeded {
      message
    }
  }
}
    `) as unknown as TypedDocumentString<FollowReleaseOrderSubscription, FollowReleaseOrderSubscriptionVariables>;
export const PreviewReleaseDocument = new TypedDocumentString(`
    query PreviewRelease($environment: ID!, $batchCount: Int!) {
  previewRelease(environment: $environment, batchCount: $batchCount) {
    __typename
    ... on ReleasePreview {
      imageReference
      batchSizes
      changes {
        path
        before
        after
      }
      warnings {
        code
        message
      }
      problems {
        path
        code
        message
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<PreviewReleaseQuery, PreviewReleaseQueryVariables>;
export const ReleaseOrderStateDocument = new TypedDocumentString(`
    query ReleaseOrderState($id: ID!) {
  releaseOrder(id: $id) {
    id
    state
    batchesDone
    batchCount
    failures {
      instanceName
      reason
      message
      resolvedAt
    }
  }
}
    `) as unknown as TypedDocumentString<ReleaseOrderStateQuery, ReleaseOrderStateQueryVariables>;
export const ResumeReleaseOrderDocument = new TypedDocumentString(`
    mutation ResumeReleaseOrder($id: ID!) {
  resumeReleaseOrder(input: {id: $id}) {
    __typename
    ... on ReleaseOrderPayload {
      releaseOrder {
        state
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<ResumeReleaseOrderMutation, ResumeReleaseOrderMutationVariables>;
export const SetImageTagDocument = new TypedDocumentString(`
    mutation SetImageTag($environment: ID!, $imageTag: String!) {
  setImageTag(input: {environment: $environment, imageTag: $imageTag}) {
    __typename
    ... on SetImageTagPayload {
      config {
        imageTag
        version
      }
    }
    ... on Error {
      code
      message
    }
  }
}
    `) as unknown as TypedDocumentString<SetImageTagMutation, SetImageTagMutationVariables>;