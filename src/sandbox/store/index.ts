/** The sandbox's object store: the store itself and the pure pieces others reuse. */
export * from './types.js';
export { createStore, DEFAULT_NAMESPACES, type SandboxStore, type StoreOptions } from './store.js';
export { RESOURCE_TYPES, findType, typeForKind, typeByName, apiVersionOf, qualifiedKind, qualifiedResource } from './resources.js';
export {
  labelSelectorMatches,
  labelSelectorToString,
  matchesLabelSelectorString,
  parseLabelSelector,
  parseFieldSelector,
  matchesFieldSelector,
  matchesRequirements,
  type LabelSelector,
  type LabelSelectorRequirement,
  type Requirement,
  type FieldRequirement,
} from './selectors.js';
export { applyPatch, applyJsonPatch, applyMergePatch, applyStrategicMergePatch, type PatchType } from './patch.js';
export { rfc3339 } from './lifecycle.js';
