/** The shapes the console reads (what its operations select). */
export interface Problem {
  path: string[];
  message: string;
}

export interface Failure {
  code: string;
  message: string;
  problems?: Problem[];
}

/** Why an instance cannot become Ready (the schema's InstanceProblemReason). */
export type ProblemReason = 'IMAGE_PULL' | 'CRASH_LOOP' | 'OOM_KILLED' | 'POST_START_HOOK_FAILED' | 'UNSCHEDULABLE' | 'CONFIG_ERROR' | 'OTHER';

/** Why a release order recorded a failure (the schema's InstanceFailureReason). */
export type FailureReason = ProblemReason | 'DEADLINE_EXCEEDED' | 'CLUSTER_REFUSED';

export interface Order {
  id: string;
  kind: string;
  state: string;
  active: boolean;
  direction: string;
  pauseMode: string;
  description: string;
  batchCount: number;
  batchSizes: number[];
  batchesDone: number;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  failureReason: FailureReason | null;
  revision: { number: number; imageTag: string; imageReference: string };
  previousRevision: { number: number; imageTag: string } | null;
  batches: { number: number; size: number; state: string }[];
  failures: { instanceName: string; batch: number; reason: FailureReason; message: string; resolvedAt: string | null }[];
  environment: { id: string; kind: string; app: { name: string } };
}

export interface Instance {
  id: string;
  name: string;
  status: string;
  phase: string;
  ready: boolean;
  restarts: number;
  revision: number | null;
  node: string | null;
  createdAt: string;
  problem: { reason: ProblemReason; message: string } | null;
}

export interface InstanceEvent {
  type: string;
  reason: string;
  message: string;
  instanceName: string;
  count: number;
  lastSeenAt: string | null;
}

export type FeedEvent =
  | { kind: 'SNAPSHOT'; cursor: string; releaseOrder: Order; instances: Instance[]; events: InstanceEvent[] }
  | { kind: 'RELEASE_ORDER_PROGRESS'; cursor: string; releaseOrder: Order }
  | { kind: 'INSTANCE_CHANGED'; cursor: string; change: 'ADDED' | 'UPDATED' | 'REMOVED'; instance: Instance }
  | { kind: 'SYSTEM_EVENT'; cursor: string; event: InstanceEvent }
  | { kind: 'BUFFER_EXCEEDED'; cursor: string; message: string };

/** A mutation's answer: its payload, or one of the schema's typed errors. */
export type Result<T> = ({ __typename: string } & Partial<T>) & Partial<Failure>;

/** The error's text: its message and each problem's path and message. */
export function describeFailure(result: Partial<Failure>): string {
  const problems = (result.problems ?? []).map((p) => `${p.path.join('.')}: ${p.message}`);
  return [result.message ?? 'refused', ...problems].join(' — ');
}
