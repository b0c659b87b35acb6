/**
 * Whether an object is selected by a watch's label and field selectors (the store's selector
 * semantics), so that a watch sends exactly the events a real API server sends.
 */
import type { KubeObject, ResourceKey } from '../store/types.js';
import { matchesFieldSelector, matchesRequirements, parseFieldSelector, parseLabelSelector } from '../store/selectors.js';

/** Parses both selectors up front (StoreError 400 on bad syntax) and returns the predicate. */
export function selection(key: ResourceKey, labelSelector?: string | null, fieldSelector?: string | null): (object: KubeObject) => boolean {
  const labels = parseLabelSelector(labelSelector ?? undefined);
  const fields = parseFieldSelector(key, fieldSelector ?? undefined);
  return (o) => matchesRequirements(labels, o.metadata.labels ?? {}) && matchesFieldSelector(key, fields, o);
}
