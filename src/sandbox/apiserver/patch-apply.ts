/** Applies a patch of one of the three types to an object (delegates to the store's patch module). */
import { ApiError } from './errors.js';

export type PatchType = 'json' | 'merge' | 'strategic';

export function applyPatch(_type: PatchType, _current: unknown, _patch: unknown, _kind: string): unknown {
  throw new ApiError(500, 'InternalError', 'patching is not wired yet (waiting for src/sandbox/store/patch.ts)');
}
