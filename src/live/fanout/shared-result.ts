/**
 * A result shared by every member of a group: serialized once, the first time a transport asks. Over
 * SSE yoga calls a result's own `stringify` (kept off the JSON); over graphql-ws the WebSocket wiring
 * asks `serializedOf` and sends those bytes in each member's frame.
 */
import type { ExecutionResult } from 'graphql';

const serialized = new WeakMap<object, string>();
const shared = new WeakSet<object>();

/** Marks `result` as shared (and gives it a `stringify` that serializes it once). */
export function share(result: ExecutionResult): ExecutionResult {
  if (shared.has(result)) return result;
  shared.add(result);
  Object.defineProperty(result, 'stringify', { value: () => serializedOf(result), enumerable: false });
  return result;
}

/** The JSON of a shared result (computed once); null for a result that is not shared. */
export function serializedOf(result: unknown): string | null {
  // Ten thousand members ask for the same result in a row: the last one answers without a lookup.
  if (result === last.result) return last.text;
  if (result === null || typeof result !== 'object' || !shared.has(result)) return null;
  let text = serialized.get(result);
  if (text === undefined) {
    text = JSON.stringify(result);
    serialized.set(result, text);
  }
  last.result = result;
  last.text = text;
  return text;
}

/** The result serialized last (only a shared one: its text never changes). */
const last: { result: object | null; text: string | null } = { result: null, text: null };
