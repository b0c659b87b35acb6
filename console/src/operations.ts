/** Every operation the console sends: the documents in operations/*.graphql, bundled as text. */
import OrderAction from '../operations/order-action.graphql';
import resumeReleaseOrder from '../operations/resume-release-order.graphql';
import setReleaseOrderPauseMode from '../operations/set-release-order-pause-mode.graphql';
import retryFailedInstances from '../operations/retry-failed-instances.graphql';
import rollbackReleaseOrder from '../operations/rollback-release-order.graphql';
import closeReleaseOrder from '../operations/close-release-order.graphql';

/** An action on a release order with the fragments it spreads (order-action.graphql): what the console sends when the server lacks its hash. */
const orderAction = (document: string) => `${document}\n${OrderAction}`;

export { default as Viewer } from '../operations/viewer.graphql';
export { default as Apps } from '../operations/apps.graphql';
export { default as Environment } from '../operations/environment.graphql';
export { default as PreviewRelease } from '../operations/preview-release.graphql';
export { default as SetImageTag } from '../operations/set-image-tag.graphql';
export { default as SetInstanceCount } from '../operations/set-instance-count.graphql';
export { default as CreateReleaseOrder } from '../operations/create-release-order.graphql';
export { default as ReleaseOrderFeed } from '../operations/release-order-feed.graphql';
export const ResumeReleaseOrder = orderAction(resumeReleaseOrder);
export const SetReleaseOrderPauseMode = orderAction(setReleaseOrderPauseMode);
export const RetryFailedInstances = orderAction(retryFailedInstances);
export const RollbackReleaseOrder = orderAction(rollbackReleaseOrder);
export const CloseReleaseOrder = orderAction(closeReleaseOrder);
export { default as InstanceLogs } from '../operations/instance-logs.graphql';
export { default as OpenTerminal } from '../operations/open-terminal.graphql';
export { default as SendTerminalInput } from '../operations/send-terminal-input.graphql';
export { default as CloseTerminal } from '../operations/close-terminal.graphql';
export { default as TerminalOutput } from '../operations/terminal-output.graphql';
