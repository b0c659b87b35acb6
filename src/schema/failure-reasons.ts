/**
 * The reasons cairn gives for an instance that cannot become Ready (`Instance.problem`,
 * `ReleaseInstance.reason`) and for a failure of a release order (`InstanceFailure.reason`,
 * `ReleaseOrder.failureReason`): the pod classifier's (src/kube/instance-failure.ts) and the
 * engine's own two (a batch deadline, a step the cluster refused).
 */
import { DEADLINE_REASON } from '../engine/rollout.js';
import { REFUSED_REASON } from '../engine/refusal.js';
import type { FailureReason } from '../kube/workloads-types.js';
import { builder } from './builder.js';

/** The pod classifier's reasons, each described (the `satisfies` keeps this list and src/kube's type the same). */
const POD_REASONS = {
  IMAGE_PULL: { description: 'The image cannot be pulled: a wrong tag or name, or no access to the registry (Kubernetes: ErrImagePull, ImagePullBackOff, InvalidImageName, ErrImageNeverPull).' },
  CRASH_LOOP: { description: 'A container keeps exiting and is restarted with back-off (Kubernetes: CrashLoopBackOff); `message` carries the last exit code.' },
  OOM_KILLED: { description: 'A container was killed for going over its memory limit, now or at its last exit (Kubernetes: OOMKilled).' },
  POST_START_HOOK_FAILED: { description: 'The container\'s PostStart hook failed, so the container was killed (Kubernetes: a FailedPostStartHook event).' },
  UNSCHEDULABLE: { description: 'No node can run the instance (not enough CPU or memory, no matching node) for longer than cairn waits (Kubernetes: PodScheduled False, Unschedulable).' },
  CONFIG_ERROR: { description: 'A container cannot be created from its configuration: a missing ConfigMap or Secret key … (Kubernetes: CreateContainerConfigError, CreateContainerError).' },
} as const satisfies Record<FailureReason, { description: string }>;


export const InstanceProblemReasonEnum = builder.enumType('InstanceProblemReason', {
  description: 'Why an instance cannot become Ready, as the release engine classifies it from the pod\'s status and Warning events.',
  values: { ...POD_REASONS, OTHER: { description: 'A reason cairn does not classify: read `kubernetesReason` and `message`.' } },
});

export const InstanceFailureReasonEnum = builder.enumType('InstanceFailureReason', {
  description: 'Why a release order recorded a failure: an instance\'s problem (as `InstanceProblemReason`), the batch deadline, or a step the cluster refused.',
  values: {
    ...POD_REASONS,
    [DEADLINE_REASON]: { description: 'The batch deadline passed: an instance was not Ready by then, was still running when it should have stopped, or a step of the order was still failing then (`message` has its last error).' },
    [REFUSED_REASON]: {
      description:
        'The Kubernetes API server refused a step for good (422 Invalid, 403 Forbidden, an object of that name that is not the revision\'s …); `message` names the step, the object and the API server\'s answer: fix the cause, then retry, roll back or close the order.',
    },
    OTHER: { description: 'A reason this version of cairn does not classify (a failure recorded by another version): read `message`.' },
  },
});

type ProblemReason = keyof typeof POD_REASONS | 'OTHER';
type FailureReasonName = ProblemReason | typeof DEADLINE_REASON | typeof REFUSED_REASON;

const POD_REASON_NAMES: ReadonlySet<string> = new Set(Object.keys(POD_REASONS));
const FAILURE_REASON_NAMES: ReadonlySet<string> = new Set([...POD_REASON_NAMES, DEADLINE_REASON, REFUSED_REASON]);

/** A pod classifier's reason as the schema's enum value (OTHER for one it does not know). */
export function problemReasonOf(reason: string): ProblemReason {
  return POD_REASON_NAMES.has(reason) ? (reason as ProblemReason) : 'OTHER';
}

/** A recorded failure's reason (a database text) as the schema's enum value (OTHER for one this version does not know). */
export function failureReasonOf(reason: string): FailureReasonName {
  return FAILURE_REASON_NAMES.has(reason) ? (reason as FailureReasonName) : 'OTHER';
}
