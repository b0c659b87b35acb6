/** Pure rendering of every Kubernetes object cairn creates for a release (no I/O). */
export * from './names.js';
export { renderNamespace } from './namespace.js';
export { renderService, renderHeadlessService, servicePorts } from './service.js';
export { renderConfigMap, fileMountKey } from './configmap.js';
export { renderSecret, secretKey } from './secret.js';
export { renderPodTemplate } from './pod-template.js';
export { renderLogCollection, logKey, logVolumeName } from './log-collection.js';
export { renderDeployment, type RevisionInput } from './deployment.js';
export { renderStatefulSet } from './statefulset.js';
